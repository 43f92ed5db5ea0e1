"""Operators' admin for rights. Money already worked out (earnings, allocations, statements,
payments), signatures and alerts are records of what happened: read-only here, as the audit
log is. Editing them by hand would disagree with the audit log and the payees' statements."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from . import models as m


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(m.Work)
class WorkAdmin(admin.ModelAdmin):
    list_display = ["title", "iswc", "workspace"]
    search_fields = ["title", "iswc"]
    list_select_related = ["workspace"]


@admin.register(m.Licence)
class LicenceAdmin(admin.ModelAdmin):
    list_display = ["title", "workspace", "direction", "kind", "status", "term_end"]
    list_filter = ["direction", "kind", "status"]
    search_fields = ["title"]
    raw_id_fields = ["counterparty", "work", "track", "created_by"]
    list_select_related = ["workspace"]


READ_ONLY = [
    "LicenceAlert", "Statement", "Earning", "Allocation", "PayeeStatement", "Payment",
    "Period", "Recoupment", "Conversion", "SplitSheetVersion", "SplitSignature",
]  # fmt: skip

for _name in READ_ONLY:
    _model = getattr(m, _name, None)
    if _model is not None:
        admin.site.register(_model, ReadOnlyAdmin)
