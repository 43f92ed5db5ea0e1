"""Distributors' statement formats (no Django here): detection and streaming parsers.

See ``base`` for what a parser yields. The entry point ``statement_open`` is written with the
parsers.
"""

from .base import ParsedLine, ParsedStatement, StatementError, line_hash, match_key

__all__ = ["ParsedLine", "ParsedStatement", "StatementError", "line_hash", "match_key"]
