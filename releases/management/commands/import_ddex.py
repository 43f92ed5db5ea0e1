"""Create a release from a DDEX ERN 4.3 NewReleaseMessage (``releases.services.ddex``)."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from collaborators.models import Workspace
from releases.ddex.parse import MAX_BYTES
from releases.services import ddex


class Command(BaseCommand):
    help = (
        "Import a DDEX ERN 4.3 NewReleaseMessage as a new release of a workspace: its tracks, "
        "ISRCs, UPC, artists and credits (people found by name, or added). All or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The ERN XML file.")
        parser.add_argument("--workspace", required=True, help="The workspace's slug.")
        parser.add_argument("--json", action="store_true", help="Print the result as JSON.")

    def handle(self, *args: object, **options: object) -> None:
        workspace = Workspace.objects.filter(slug=options["workspace"]).first()
        if workspace is None:
            raise CommandError(f"No workspace “{options['workspace']}”.")
        path = Path(str(options["file"]))
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        if path.stat().st_size > MAX_BYTES:
            raise CommandError(f"{path} is larger than {MAX_BYTES // 1_048_576} MB.")
        try:
            release = ddex.release_import(workspace=workspace, data=path.read_bytes(), user=None)
        except ValidationError as exc:
            words = " ".join(exc.messages)
            if options["json"]:  # a script reads the reason where it reads the result
                self.stdout.write(json.dumps({"error": words}, ensure_ascii=False))
            raise CommandError(words) from exc
        warnings = list(getattr(release, "import_warnings", []))
        tracks = release.tracks.count()
        if options["json"]:
            body = {"id": release.pk, "title": release.title, "upc": release.upc,
                    "tracks": tracks, "warnings": warnings}  # fmt: skip
            self.stdout.write(json.dumps(body, ensure_ascii=False))
            return
        self.stdout.write(f"Imported “{release}” (id {release.pk}) with {tracks} track(s).")
        for warning in warnings:
            self.stdout.write(f"Note: {warning}")
