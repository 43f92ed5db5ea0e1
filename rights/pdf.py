"""A small PDF document builder on fpdf2, shared by split sheets and payee statements.

Names such as "Inès Duarte", "℗", "—" and "’" need a Unicode font: DejaVu Sans is used when it is
installed (Debian's fonts-dejavu-core puts it at the path below). Without it the core Helvetica
font is used and text is transliterated to Latin-1, so no character ever makes the build fail.

Output is deterministic for the same content and ``created`` date: the creation date is fixed
(or given) rather than taken from the clock, so two builds of one version compare equal.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_REGULAR = FONT_DIR / "DejaVuSans.ttf"
FONT_BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"

# A fixed date when the caller gives none: a PDF embeds its creation time, which would otherwise
# make every build of the same sheet differ.
EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)

# Characters Latin-1 lacks but that have a readable ASCII form; the rest lose their accents
# (NFKD) or become "?".
_LATIN1_SUBSTITUTES = {
    "\u2014": "-",  # em dash
    "\u2013": "-",  # en dash
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u2026": "...",
    "\u2117": "(P)",  # sound recording copyright
    "\u20ac": "EUR",
    "\u2022": "*",
    "\u00a0": " ",
}


def latin1(text: str) -> str:
    """``text`` in characters the core PDF fonts can show."""
    out = []
    for char in str(text):
        if char in _LATIN1_SUBSTITUTES:
            out.append(_LATIN1_SUBSTITUTES[char])
            continue
        try:
            char.encode("latin-1")
            out.append(char)
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFKD", char)
        ascii_part = decomposed.encode("latin-1", "ignore").decode("latin-1")
        ascii_part = "".join(c for c in ascii_part if not unicodedata.combining(c))
        out.append(ascii_part or "?")
    return "".join(out)


class PdfDocument:
    """A portrait A4 document: title, optional subtitle, then headings, paragraphs, label/value
    pairs and tables in order. ``bytes()`` renders it."""

    def __init__(
        self,
        *,
        title: str,
        subtitle: str = "",
        created: dt.datetime | None = None,
        unicode_font: Path | None = FONT_REGULAR,
        compress: bool = True,
    ) -> None:
        self._pdf = FPDF(orientation="P", unit="mm", format="A4")
        self._pdf.set_compression(compress)
        self._pdf.set_creation_date(created or EPOCH)
        self._pdf.set_title(title)
        self._pdf.set_creator("Liner")
        self._pdf.set_auto_page_break(auto=True, margin=15)
        self.unicode = bool(unicode_font and Path(unicode_font).is_file())
        if self.unicode:
            bold = Path(unicode_font).with_name(Path(unicode_font).stem + "-Bold.ttf")
            self._pdf.add_font("Body", "", str(unicode_font))
            self._pdf.add_font("Body", "B", str(bold if bold.is_file() else unicode_font))
            self._family = "Body"
        else:
            self._family = "Helvetica"
        self._pdf.add_page()
        self._font(16, bold=True)
        self._pdf.multi_cell(0, 8, self._text(title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if subtitle:
            self._font(10)
            self._pdf.multi_cell(0, 6, self._text(subtitle), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self._pdf.ln(3)

    def _text(self, value: object) -> str:
        text = "" if value is None else str(value)
        return text if self.unicode else latin1(text)

    def _font(self, size: float, *, bold: bool = False) -> None:
        self._pdf.set_font(self._family, "B" if bold else "", size)

    def heading(self, text: str) -> PdfDocument:
        self._pdf.ln(2)
        self._font(12, bold=True)
        self._pdf.multi_cell(0, 7, self._text(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return self

    def paragraph(self, text: str) -> PdfDocument:
        self._font(10)
        self._pdf.multi_cell(0, 5, self._text(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self._pdf.ln(1)
        return self

    def pairs(self, items: Sequence[tuple[str, object]]) -> PdfDocument:
        """Label: value lines, the label in bold."""
        for label, value in items:
            self._font(10, bold=True)
            self._pdf.cell(45, 5, self._text(label))
            self._font(10)
            self._pdf.multi_cell(0, 5, self._text(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self._pdf.ln(1)
        return self

    def table(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[object]],
        *,
        align: Sequence[str] | None = None,
    ) -> PdfDocument:
        """A table; the header row repeats on each page it runs onto. ``align`` is one letter per
        column: "L", "R" or "C" (numbers read best right-aligned)."""
        self._font(9)
        aligns = tuple(align) if align else ("LEFT",) * len(headers)
        aligns = tuple({"L": "LEFT", "R": "RIGHT", "C": "CENTER"}.get(a, a) for a in aligns)
        with self._pdf.table(
            text_align=aligns, repeat_headings=1, line_height=5, first_row_as_headings=True
        ) as table:
            header = table.row()
            for cell in headers:
                header.cell(self._text(cell))
            for row in rows:
                line = table.row()
                for cell in row:
                    line.cell(self._text(cell))
        self._pdf.ln(2)
        return self

    def bytes(self) -> bytes:
        return bytes(self._pdf.output())
