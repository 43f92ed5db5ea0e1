from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from audio.cli import CommandFailed, emit, failures_as_one_line
from audio.dsp.render import FORMATS, render


class Command(BaseCommand):
    help = "Render a master to a delivery format (WAV 24/16-bit, FLAC, MP3 320), tagged."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("input")
        parser.add_argument("--format", required=True, choices=list(FORMATS), dest="fmt")
        parser.add_argument("--out", required=True)
        parser.add_argument(
            "--tags",
            help="a JSON file of tags (title, artists, album, track_number, year, isrc, "
            'copyright_p, genre, ...); its "artwork" is a path to a JPEG or PNG',
        )
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **o: Any) -> None:
        with failures_as_one_line(self):
            tags = _read_tags(o["tags"]) if o["tags"] else None
            report = render(o["input"], o["out"], o["fmt"], tags=tags)

        def text() -> str:
            return "\n".join(f"{key}: {value}" for key, value in report.items())

        emit(self, report, o["json"], text)


def _read_tags(path: str) -> dict[str, Any]:
    try:
        tags = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise CommandFailed(f"Could not read the tags file “{path}”: {exc}") from exc
    if not isinstance(tags, dict):
        raise CommandFailed(f"The tags file “{path}” must hold one JSON object.")
    artwork = tags.get("artwork")
    if isinstance(artwork, str):
        art_path = Path(path).parent / artwork
        try:
            tags["artwork"] = art_path.read_bytes()
        except OSError as exc:
            raise CommandFailed(f"Could not read the artwork “{art_path}”.") from exc
    return tags
