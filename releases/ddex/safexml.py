"""Reading an uploaded XML file safely, for ``releases.ddex.parse``.

An uploaded file is hostile until proven otherwise. Before anything is built from it:

1. its size is checked (``MAX_BYTES``), before parsing: a 50 MB file is refused unread;
2. it is scanned once with the standard library's expat, streaming, building nothing: a
   document type declaration (``<!DOCTYPE``), which is where entity bombs ("billion
   laughs") and external entities (``file:///etc/passwd``) live, is refused (DDEX messages
   never have one), and so are nesting past ``MAX_DEPTH`` and more than ``MAX_ELEMENTS``
   elements, so lxml never builds a tree larger than real messages make. Expat reads the
   declared encoding, so a UTF-16 file cannot hide its DOCTYPE from the scan;
3. it is parsed by lxml with explicit options (``SAFE_PARSER_OPTIONS``): no entity
   substitution, no DTD loading, no network, and libxml2's default limits (``huge_tree``
   off: at most 256 levels of nesting, bounded text nodes). The parsed tree is checked once
   more for a DTD.

Why lxml with explicit options and not defusedxml: the tree must be an lxml tree to
validate against the XSD, and ``defusedxml.lxml`` is deprecated (its authors point to
lxml's own parser options, which are the ones used here); defusedxml's other parsers build
ElementTree trees. The expat scan does what defusedxml's ``forbid_dtd`` does, without
building a tree.
"""

from __future__ import annotations

import xml.parsers.expat
from typing import Any

from lxml import etree

from .model import DdexError

MAX_BYTES = 10 * 1024 * 1024  # the published samples are 20-330 KB
SAFE_PARSER_OPTIONS: dict[str, Any] = {
    "resolve_entities": False,
    "no_network": True,
    "huge_tree": False,
    "load_dtd": False,
    "dtd_validation": False,
    "attribute_defaults": False,
    "remove_comments": True,
    "remove_pis": True,
}


MAX_DEPTH = 64  # DDEX messages nest about 10 levels deep
MAX_ELEMENTS = 250_000  # the 330 KB single sample has about 6,000; a 100-track album 10,000
_TOO_DEEP = (
    "This file nests its elements too deeply to be a DDEX message (Liner reads at most "
    f"{MAX_DEPTH} levels; DDEX messages use about 10)."
)


def _prescan(data: bytes) -> None:
    """One streaming pass with expat, building nothing: refuse a document type declaration,
    nesting past ``MAX_DEPTH`` and more than ``MAX_ELEMENTS`` elements, so that lxml only ever
    builds a tree of a size a real message has."""
    parser = xml.parsers.expat.ParserCreate()
    depth = elements = 0

    def doctype(*_: object) -> None:
        raise DdexError(
            "This file declares a document type (<!DOCTYPE …>). DDEX messages never do, and "
            "Liner refuses such files because they can expand entities or read other files."
        )

    def start(*_: object) -> None:
        nonlocal depth, elements
        depth += 1
        elements += 1
        if depth > MAX_DEPTH:
            raise DdexError(_TOO_DEEP)
        if elements > MAX_ELEMENTS:
            raise DdexError(
                f"This file has more than {MAX_ELEMENTS:,} elements; a DDEX message for even a "
                "large release has a few tens of thousands."
            )

    def end(*_: object) -> None:
        nonlocal depth
        depth -= 1

    parser.StartDoctypeDeclHandler = doctype
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(data, True)
    except xml.parsers.expat.ExpatError as exc:
        raise DdexError(f"This is not well-formed XML ({exc}).") from exc
    if not elements:
        raise DdexError("This file has no XML element in it.")


def parse_xml(data: bytes, *, max_bytes: int = MAX_BYTES) -> etree._Element:
    """The root element of ``data``, or DdexError in words."""
    if not isinstance(data, bytes | bytearray):
        raise DdexError("Expected the file's bytes.")
    if len(data) > max_bytes:
        raise DdexError(
            f"This file is {len(data) / 1_048_576:.1f} MB; a DDEX message Liner reads is at most "
            f"{max_bytes / 1_048_576:.0f} MB."
        )
    if not data.strip():
        raise DdexError("The file is empty.")
    _prescan(bytes(data))
    parser = etree.XMLParser(**SAFE_PARSER_OPTIONS)
    try:
        root = etree.fromstring(bytes(data), parser)
    except etree.XMLSyntaxError as exc:
        if "depth" in str(exc).lower():
            raise DdexError(_TOO_DEEP) from exc
        raise DdexError(f"This is not well-formed XML ({exc}).") from exc
    if root.getroottree().docinfo.internalDTD is not None:  # the scan should have caught it
        raise DdexError("This file declares a document type; Liner refuses such files.")
    return root
