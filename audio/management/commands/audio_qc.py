from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from audio.cli import emit, failures_as_one_line, profile_slugs, readable, summary
from audio.dsp.analysis import analyze
from audio.dsp.codec import codec_check
from audio.dsp.io import probe


class Command(BaseCommand):
    help = "Measure an audio file (loudness, peaks, faults) and judge it for delivery profiles."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--profile", help="judge for this profile only (default: all)")
        parser.add_argument(
            "--codec-check", action="store_true", help="also encode to MP3 320 and measure"
        )
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        with failures_as_one_line(self):
            slugs = profile_slugs(options["profile"])
            probe(options["file"])  # the upload checks: a plain reason for an unusable file
            analysis = analyze(options["file"])
            if options["codec_check"]:
                analysis["codec"] = codec_check(options["file"])
            result = summary(analysis, slugs)
        emit(self, result, options["json"], lambda: readable(result, options["file"]))
