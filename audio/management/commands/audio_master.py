from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from audio.cli import emit, failures_as_one_line, profile_slugs, readable, summary
from audio.dsp.analysis import analyze
from audio.dsp.io import probe
from audio.dsp.master import PRESETS, master
from audio.services.mastering import master_settings


class Command(BaseCommand):
    help = "Master a mix for a delivery profile and print the analysis before and after."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("input")
        parser.add_argument("output", help="the master to write (.wav or .flac)")
        parser.add_argument("--profile", required=True)
        parser.add_argument("--reference", help="a track whose tonal balance to move toward")
        parser.add_argument(
            "--match-reference-loudness",
            action="store_true",
            help="take the reference's loudness instead of the profile's",
        )
        parser.add_argument("--intensity", choices=list(PRESETS), default="balanced")
        parser.add_argument("--mix", type=float, default=1.0, help="dry/wet, 0 to 1")
        parser.add_argument("--target", type=float, help="LUFS, instead of the profile's")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **o: Any) -> None:
        with failures_as_one_line(self):
            slugs = profile_slugs(o["profile"])
            settings = master_settings(
                profile=o["profile"],
                intensity=o["intensity"],
                mix=o["mix"],
                target_lufs=o["target"],
            )
            probe(o["input"])
            before = analyze(o["input"])
            chain = master(
                o["input"],
                o["output"],
                target_lufs=settings["target_lufs"],
                ceiling_dbtp=settings["ceiling_dbtp"],
                intensity=settings["intensity"],
                mix=settings["mix"],
                reference_path=o["reference"],
                match_reference_loudness=o["match_reference_loudness"],
            )
            after = analyze(o["output"])
            result = {
                "before": summary(before, slugs),
                "after": summary(after, slugs),
                "chain": chain,
            }

        def text() -> str:
            return "\n\n".join(
                [readable(result["before"], "Before:"), readable(result["after"], "After:")]
            )

        emit(self, result, o["json"], text)
