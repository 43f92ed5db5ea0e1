"""Earnings point at a reported item (ISRC, UPC, title, artist, match key kept once) instead of
carrying those on every line; the line hash and its unique index give way to the import's check
of the normalised content against the statements that could hold the same lines; an earning's
id is its address (statement << 30 | line), and (workspace, booked month) has a BRIN index on
PostgreSQL. Existing earnings get their items and new ids, and statements their reported
months, here."""

import uuid

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import F, Max, Min, Q

import rights.models.statements

# rights.statements.base.ITEM_NAMESPACE / item_id, as they were when this migration was written.
ITEM_NAMESPACE = uuid.UUID("5d0f3c4e-8a51-4b8e-9a3c-2f6e1d7b9c40")


def _item_id(workspace_id, isrc, upc, title, artist):
    return uuid.uuid5(ITEM_NAMESPACE, f"{workspace_id}\x1f{isrc}\x1f{upc}\x1f{title}\x1f{artist}")


def fill(apps, schema_editor):
    Earning = apps.get_model("rights", "Earning")
    ReportedItem = apps.get_model("rights", "ReportedItem")
    Statement = apps.get_model("rights", "Statement")
    rows = (
        Earning.objects.values_list("workspace_id", "isrc", "upc", "title", "artist", "match_key")
        .distinct()
        .order_by()
    )
    for workspace_id, isrc, upc, title, artist, key in rows.iterator():
        pk = _item_id(workspace_id, isrc, upc, title, artist)
        ReportedItem.objects.get_or_create(
            pk=pk, defaults=dict(workspace_id=workspace_id, isrc=isrc, upc=upc, title=title,
                                 artist=artist, match_key=key),
        )  # fmt: skip
        Earning.objects.filter(
            workspace_id=workspace_id, isrc=isrc, upc=upc, title=title, artist=artist
        ).update(item_id=pk)
    # Each line's id becomes its address (statement << 30 | line); the old ids are far below.
    Earning.objects.update(id=F("statement_id") * 1073741824 + F("line_no"))
    for statement in Statement.objects.filter(status="imported"):
        span = Earning.objects.filter(statement_id=statement.pk).aggregate(
            first=Min("statement_period"), last=Max("statement_period")
        )
        Statement.objects.filter(pk=statement.pk).update(
            reported_first=span["first"], reported_last=span["last"]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("collaborators", "0003_audit_log"),
        ("releases", "0003_planning_budget_delivery"),
        ("rights", "0002_earning_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReportedItem",
            fields=[
                ("id", models.UUIDField(primary_key=True, serialize=False)),
                ("isrc", models.CharField(blank=True, max_length=12)),
                ("upc", models.CharField(blank=True, max_length=14)),
                ("title", models.CharField(blank=True, max_length=200)),
                ("artist", models.CharField(blank=True, max_length=200)),
                ("match_key", models.CharField(max_length=64)),
                (
                    "workspace",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="collaborators.workspace",
                    ),
                ),
            ],
            options={
                "ordering": ["title", "artist", "isrc"],
                "indexes": [
                    models.Index(fields=["workspace", "match_key"], name="reported_item_key_idx"),
                ],
            },
        ),
        migrations.AddField(
            model_name="statement",
            name="reported_first",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="statement",
            name="reported_last",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="earning",
            name="item",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="earnings",
                to="rights.reporteditem",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="earning",
            name="item",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="earnings",
                to="rights.reporteditem",
            ),
        ),
        migrations.RemoveConstraint(model_name="earning", name="earning_line_once"),
        migrations.RemoveIndex(model_name="earning", name="earning_unmatched_idx"),
        migrations.RemoveIndex(model_name="earning", name="rights_earn_workspa_9e5ea4_idx"),
        migrations.RemoveField(model_name="earning", name="isrc"),
        migrations.RemoveField(model_name="earning", name="upc"),
        migrations.RemoveField(model_name="earning", name="title"),
        migrations.RemoveField(model_name="earning", name="artist"),
        migrations.RemoveField(model_name="earning", name="match_key"),
        migrations.RemoveField(model_name="earning", name="line_hash"),
        migrations.AlterField(
            model_name="earning",
            name="statement",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="earnings",
                to="rights.statement",
            ),
        ),
        migrations.AlterField(
            model_name="earning",
            name="id",
            field=models.BigIntegerField(primary_key=True, serialize=False),
        ),
        migrations.AddIndex(
            model_name="earning",
            index=rights.models.statements.MonthIndex(
                autosummarize=True, fields=["workspace", "booked_period"], name="earning_month_idx"
            ),
        ),
        migrations.AddConstraint(
            model_name="earning",
            constraint=models.CheckConstraint(
                condition=Q(id=F("statement_id") * 1073741824 + F("line_no")),
                name="earning_id_is_its_address",
            ),
        ),
        migrations.AddConstraint(
            model_name="earning",
            constraint=models.CheckConstraint(
                condition=Q(line_no__lt=1073741824), name="earning_line_fits"
            ),
        ),
        migrations.AddIndex(
            model_name="earning",
            index=models.Index(
                condition=Q(track__isnull=True),
                fields=["workspace", "item"],
                name="earning_unmatched_idx",
            ),
        ),
    ]
