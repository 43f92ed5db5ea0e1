"""Validation against the DDEX ERN 4.3 schema (``release-notification.xsd``, which imports
``allowed-value-sets.xsd`` beside it).

Liner does not ship DDEX's schema (it is under DDEX's own licences); tests and the
``export_ddex --validate`` option load it from a path. Loading takes about a second, so a
loaded schema is kept per path.
"""

from __future__ import annotations

import functools
from pathlib import Path

from lxml import etree

from .safexml import SAFE_PARSER_OPTIONS


class SchemaError(ValueError):
    """The message does not validate; ``errors`` lists the schema's complaints."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("; ".join(errors[:5]) + (" …" if len(errors) > 5 else ""))


@functools.cache
def load_schema(path: str | Path) -> etree.XMLSchema:
    """The XMLSchema at ``path`` (the schema may read its imports beside it, not the network)."""
    parser = etree.XMLParser(**SAFE_PARSER_OPTIONS)
    return etree.XMLSchema(etree.parse(str(path), parser))


def validation_errors(data: bytes, schema_path: str | Path) -> list[str]:
    """The schema's complaints about ``data`` (empty when it validates)."""
    schema = load_schema(str(schema_path))
    doc = etree.fromstring(data, etree.XMLParser(**SAFE_PARSER_OPTIONS)).getroottree()
    if schema.validate(doc):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


def validate(data: bytes, schema_path: str | Path) -> None:
    """Raise SchemaError unless ``data`` validates against the schema at ``schema_path``."""
    errors = validation_errors(data, schema_path)
    if errors:
        raise SchemaError(errors)
