"""Write a release's DDEX ERN 4.3 NewReleaseMessage to a file (``releases.services.ddex``)."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from releases.ddex import schema
from releases.models import Release
from releases.services import ddex


class Command(BaseCommand):
    help = (
        "Export a release as a DDEX ERN 4.3 NewReleaseMessage. With --validate, check it "
        "against DDEX's schema (release-notification.xsd) first and write nothing if it fails."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("release_id", type=int, help="The release's id.")
        parser.add_argument("--out", required=True, help="The file to write ('-' for stdout).")
        parser.add_argument(
            "--validate", metavar="SCHEMA", help="Path to release-notification.xsd."
        )

    def handle(self, *args: object, **options: object) -> None:
        release = (
            Release.objects.select_related("workspace").filter(pk=options["release_id"]).first()
        )
        if release is None:
            raise CommandError(f"No release with id {options['release_id']}.")
        try:
            data = ddex.release_message(release=release)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        for warning in ddex.release_message_warnings(release=release):
            self.stderr.write(f"Note: {warning}")
        if options["validate"]:
            path = Path(str(options["validate"]))
            if not path.exists():
                raise CommandError(f"No schema at {path}.")
            errors = schema.validation_errors(data, path)
            if errors:
                raise CommandError("The message does not validate:\n" + "\n".join(errors[:20]))
        out = str(options["out"])
        if out == "-":
            self.stdout.write(data.decode("utf-8"))
            return
        Path(out).write_bytes(data)
        checked = " (valid against the schema)" if options["validate"] else ""
        self.stderr.write(f"Wrote {out}: {len(data):,} bytes{checked}.")
