"""python manage.py import_statement FILE --workspace SLUG [--source …] [--mapping NAME] [--json]"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from collaborators.models import Workspace
from rights.models import ColumnMapping, Source
from rights.services.statements import statement_import
from rights.statements import StatementError


class Command(BaseCommand):
    help = (
        "Import a distributor's statement (DistroKid, TuneCore, CD Baby, Bandcamp, or another "
        "through a saved column mapping). The same file twice changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The statement file (TSV or CSV).")
        parser.add_argument("--workspace", required=True, help="The workspace's slug.")
        parser.add_argument(
            "--source", choices=Source.values, help="Where it comes from (default: detect)."
        )
        parser.add_argument("--mapping", help="A saved column mapping's name (generic files).")
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = Workspace.objects.filter(slug=options["workspace"]).first()
        if workspace is None:
            raise CommandError(f"There is no workspace “{options['workspace']}”.")
        mapping = None
        if options["mapping"]:
            mapping = ColumnMapping.objects.filter(
                workspace=workspace, name=options["mapping"]
            ).first()
            if mapping is None:
                raise CommandError(
                    f"{workspace.name} has no column mapping “{options['mapping']}”."
                )
        try:
            result = statement_import(
                workspace=workspace, file=options["file"], source=options["source"],
                mapping=mapping,
            )  # fmt: skip
        except FileNotFoundError as exc:
            raise CommandError(f"There is no file {options['file']}.") from exc
        except IsADirectoryError as exc:
            raise CommandError(f"{options['file']} is a folder, not a file.") from exc
        except StatementError as exc:
            raise CommandError(f"Nothing was imported. {exc}") from exc
        if options["json"]:
            self.stdout.write(json.dumps(result.as_json()))
            return
        if result.duplicate:
            self.stdout.write("This file was imported before; nothing changed.")
            return
        self.stdout.write(
            f"Imported {result.lines:,} lines ({result.source}): {result.matched:,} matched, "
            f"{result.unmatched:,} for the review queue, {result.skipped:,} already imported. "
            f"Total {result.total:f} {result.currency}."
        )
        if result.adjustments:
            self.stdout.write(
                f"{result.adjustments:,} lines were for paid months and are booked into "
                f"{', '.join(result.booked_into)}."
            )
