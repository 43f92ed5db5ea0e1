"""Cover art checked before it is stored: what the file really is, whether it is safe to
decode, and whether stores will take it. Plain Python and Pillow, no Django.

``artwork_inspect`` runs the checks in this order; the first failure raises ``ArtworkRefused``:
size (before the file is read in full); format by content (JPEG or PNG; anything else is named
for what it is); dimensions from the header; pixel count (``MAX_PIXELS``, and whatever Pillow
flags as a decompression bomb) before any pixel is decoded; square; colour mode (RGB passes;
greyscale, palette and black-and-white pass and become RGB, losslessly for PNG; CMYK and the
rest are refused with what to export); ``RECOMMENDED_PX`` a side passes, from ``MIN_PX`` it
warns, below fails; then a full decode (damaged or cut-off files, transparent areas).

``ArtworkReport.content`` is what to store (the upload, or its RGB conversion) and
``content_sha256`` its hash; ``sha256`` is the hash of the bytes as uploaded.
``artwork_profile_findings`` says, per delivery profile, what that store would refuse.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass, field
from typing import IO, Literal

from PIL import Image, ImageOps

from audio.dsp.profiles import Profile

MAX_BYTES = 10 * 1024 * 1024
# Liner's own ceiling, below Pillow's default bomb warning (about 89 megapixels) so Liner's
# message is the one people see: 8000 x 8000 is well past what any store asks for, and
# decoding it as RGB already takes 192 MB.
MAX_PIXELS = 8000 * 8000
MIN_PX = 1400
RECOMMENDED_PX = 3000
ACCEPTED_FORMATS = ("JPEG", "PNG")
JPEG_QUALITY = 95  # for the one lossy conversion, a greyscale JPEG saved as RGB
DAMAGED_MESSAGE = (
    "The image is damaged or incomplete (perhaps cut short while copying or uploading). "
    "Export it again from your design app and upload the new file."
)

_EXIF_ORIENTATION = 0x0112
_CONVERTIBLE_MODES = frozenset({"1", "L", "LA", "P", "RGBA"})

Severity = Literal["fail", "warn"]


class ArtworkRefused(ValueError):
    """The file cannot be cover art. ``str()`` is the message for the musician; ``code`` a
    stable name for the rule (``too_large``, ``not_square`` ...)."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class ArtworkReport:
    width: int
    height: int
    format: str  # "JPEG" or "PNG", of ``content``
    mode: str  # of ``content``: always "RGB"
    source_mode: str  # as uploaded, e.g. "P" for a palette PNG
    size_bytes: int  # as uploaded
    sha256: str  # of the bytes as uploaded
    content_sha256: str  # of ``content``
    warnings: tuple[str, ...] = ()
    converted: bool = False
    content: bytes = field(default=b"", repr=False)

    @property
    def square(self) -> bool:
        return self.width == self.height


@dataclass(frozen=True)
class ArtworkFinding:
    """What one delivery profile would object to in this artwork."""

    profile: str  # slug
    code: str
    severity: Severity
    message: str


def artwork_inspect(
    data: bytes | IO[bytes], *, max_bytes: int = MAX_BYTES, name: str | None = None
) -> ArtworkReport:
    """Check an uploaded cover; raise ``ArtworkRefused`` with a plain-words reason if it
    cannot be used. ``data`` is the file's bytes or a binary file object (read from the
    start; a ``size`` attribute, as Django's uploads have, lets an oversized file be refused
    without reading it). ``name`` is only used in messages."""
    raw = _read_bounded(data, max_bytes=max_bytes)
    label = f"“{name}”" if name else "This file"
    if not raw:
        raise ArtworkRefused(f"{label} is empty. Upload the cover as a JPEG or PNG.", code="empty")
    sha256 = hashlib.sha256(raw).hexdigest()

    im = _open_header(raw, label)
    fmt = "JPEG" if im.format == "MPO" else str(im.format)  # MPO is a JPEG with extra frames
    width, height = im.size
    if width * height > MAX_PIXELS:
        raise ArtworkRefused(
            f"The image is {_px(width, height)} ({width * height / 1e6:.0f} megapixels), more "
            f"than Liner opens safely ({MAX_PIXELS // 1_000_000} megapixels). "
            f"{_EXPORT_3000}",
            code="too_many_pixels",
        )
    if getattr(im, "n_frames", 1) > 1 and fmt == "PNG":
        raise ArtworkRefused(
            "The image is animated. Stores need a still image: export a single frame as a "
            "JPEG or PNG.",
            code="animated",
        )
    if width != height:
        raise ArtworkRefused(
            f"The image is {_px(width, height)}. Stores need a square image (the same width "
            f"and height), ideally {_px(RECOMMENDED_PX, RECOMMENDED_PX)}: crop it square and "
            "upload it again.",
            code="not_square",
        )
    mode = im.mode
    if mode == "CMYK":
        raise ArtworkRefused(
            "The image is in CMYK colours, which are for print. Stores need RGB: export as "
            "RGB/sRGB from your design app, e.g. Photoshop: Image > Mode > RGB Color.",
            code="cmyk",
        )
    if mode != "RGB" and mode not in _CONVERTIBLE_MODES:
        raise ArtworkRefused(
            f"The image uses a colour format stores do not take ({_mode_words(mode)}). Export "
            "it as an 8-bit RGB/sRGB JPEG or PNG from your design app and upload it again.",
            code="color_mode",
        )
    notes: list[str] = []
    if width < MIN_PX:
        raise ArtworkRefused(
            f"The image is {_px(width, height)}, too small for stores: they need at least "
            f"{_px(MIN_PX, MIN_PX)}, and most ask for {_px(RECOMMENDED_PX, RECOMMENDED_PX)}. "
            f"Export it at {RECOMMENDED_PX} × {RECOMMENDED_PX} from the original design "
            "(enlarging a small image makes it blurry).",
            code="too_small",
        )
    if width < RECOMMENDED_PX:
        notes.append(
            f"The image is {_px(width, height)}: most stores accept it, but Apple Music and "
            f"others ask for {_px(RECOMMENDED_PX, RECOMMENDED_PX)}. Upload a "
            f"{RECOMMENDED_PX} × {RECOMMENDED_PX} version if you have one."
        )

    # Only now, with the header judged safe, are the pixels decoded.
    try:
        im.load()
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError) as exc:
        raise ArtworkRefused(DAMAGED_MESSAGE, code="damaged") from exc

    content, converted, note = _as_rgb(im, raw, fmt)
    if note:
        notes.append(note)
    notes.extend(_orientation_note(im))
    if mode not in ("1", "L", "LA"):  # a greyscale profile is not carried into the RGB copy
        notes.extend(_profile_note(im))
    return ArtworkReport(
        width=width,
        height=height,
        format=fmt,
        mode="RGB",
        source_mode=mode,
        size_bytes=len(raw),
        sha256=sha256,
        content_sha256=hashlib.sha256(content).hexdigest() if converted else sha256,
        warnings=tuple(notes),
        converted=converted,
        content=content,
    )


def artwork_thumbnail(content: bytes, *, px: int) -> bytes:
    """A ``px``-square JPEG preview of checked artwork (``ArtworkReport.content``), turned
    upright by its EXIF orientation, without EXIF (no camera or location data in previews)."""
    with Image.open(io.BytesIO(content), formats=ACCEPTED_FORMATS) as im:
        # A JPEG decodes straight at 1/2, 1/4 or 1/8 scale: less memory, less time.
        im.draft("RGB", (px * 2, px * 2))
        icc = im.info.get("icc_profile")
        upright = ImageOps.exif_transpose(im)
        upright = upright.convert("RGB")
        upright.thumbnail((px, px), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        upright.save(
            out, "JPEG", quality=85, optimize=True, progressive=True, icc_profile=icc or None
        )
    return out.getvalue()


def artwork_profile_findings(report: ArtworkReport, profile: Profile) -> list[ArtworkFinding]:
    """What ``profile``'s destination would refuse in this artwork (empty: it takes it, or it
    has no cover-art rule, like CD and broadcast)."""
    rule = profile.artwork
    if rule is None:
        return []
    found: list[ArtworkFinding] = []

    def add(code: str, message: str) -> None:
        found.append(
            ArtworkFinding(profile=profile.slug, code=code, severity="fail", message=message)
        )

    size = _px(report.width, report.height)
    if rule.square and not report.square:
        add("not_square", f"{profile.name} needs a square image; this one is {size}.")
    if min(report.width, report.height) < rule.min_px:
        add(
            "too_small",
            f"{profile.name} needs at least {_px(rule.min_px, rule.min_px)}; this image is {size}.",
        )
    if rule.max_px is not None and max(report.width, report.height) > rule.max_px:
        add(
            "too_big",
            f"{profile.name} takes at most {_px(rule.max_px, rule.max_px)}; this image is "
            f"{size}. Upload a copy resized to {_px(rule.max_px, rule.max_px)} for it.",
        )
    if report.mode != rule.color_mode:
        add("color_mode", f"{profile.name} needs {rule.color_mode} colours; this image is "
                          f"{_mode_words(report.mode)}.")  # fmt: skip
    if report.format not in rule.formats:
        add(
            "format",
            f"{profile.name} takes {' or '.join(rule.formats)}; this image is {report.format}.",
        )
    return found


# --- the steps -------------------------------------------------------------------------------

_EXPORT_3000 = "Stores need 3000 × 3000 pixels: export it at that size and upload it again."


def _read_bounded(data: bytes | IO[bytes], *, max_bytes: int) -> bytes:
    if isinstance(data, bytes | bytearray | memoryview):
        raw = bytes(data)
        if len(raw) > max_bytes:
            raise _too_large(len(raw), max_bytes)
        return raw
    size = getattr(data, "size", None)
    if isinstance(size, int) and size > max_bytes:
        raise _too_large(size, max_bytes)
    if hasattr(data, "seek"):
        data.seek(0)
    chunks: list[bytes] = []
    total = 0
    while total <= max_bytes:
        chunk = data.read(max_bytes + 1 - total)
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    if total > max_bytes:
        raise _too_large(None, max_bytes)
    return b"".join(chunks)


def _too_large(size: int | None, limit: int) -> ArtworkRefused:
    what = f"is {_size_words(size)}" if size is not None else f"is over {_size_words(limit)}"
    return ArtworkRefused(
        f"The file {what}; cover art can be at most {_size_words(limit)}. Export it as a JPEG "
        "(quality 90 is plenty) at 3000 × 3000 pixels and upload it again.",
        code="too_large",
    )


def _open_header(raw: bytes, label: str) -> Image.Image:
    """Pillow's lazy open, limited to JPEG and PNG: it reads the header, never the pixels."""
    try:
        with warnings.catch_warnings():
            # Pillow warns above MAX_IMAGE_PIXELS and raises at twice that; both refuse here,
            # so an operator's lower Pillow limit is honoured too. (catch_warnings is process
            # wide: in a threaded server a race can leave this filter on, which only makes
            # that warning refuse elsewhere too.)
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(raw), formats=ACCEPTED_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ArtworkRefused(
            "The image is far too large to open safely: its header says it has more than "
            f"{MAX_PIXELS // 1_000_000} megapixels. {_EXPORT_3000}",
            code="too_many_pixels",
        ) from exc
    except (OSError, SyntaxError, ValueError, EOFError, IndexError):
        pass  # not a JPEG or PNG (UnidentifiedImageError), or one whose header is cut off
    actual = _identify(raw)
    if actual in ACCEPTED_FORMATS:
        # Its signature says JPEG or PNG but the header does not parse.
        raise ArtworkRefused(DAMAGED_MESSAGE, code="damaged")
    if actual is None:
        raise ArtworkRefused(
            f"{label} is not an image Liner can read. Upload the cover as a JPEG or PNG.",
            code="not_image",
        )
    raise ArtworkRefused(
        f"{label} is {_FORMAT_WORDS.get(actual, f'a {actual} file')}, whatever its name says. "
        "Stores take cover art as JPEG or PNG: export it as one of those and upload it again.",
        code="wrong_format",
    )


# Signatures of what people upload by mistake, some of which Pillow cannot open at all.
_SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\xff\xd8\xff", "JPEG"), (0, b"\x89PNG\r\n\x1a\n", "PNG"), (0, b"%PDF-", "PDF"),
    (0, b"GIF87a", "GIF"), (0, b"GIF89a", "GIF"), (0, b"8BPS", "PSD"), (0, b"II*\x00", "TIFF"),
    (0, b"MM\x00*", "TIFF"), (0, b"%!PS", "EPS"), (0, b"\xc5\xd0\xd3\xc6", "EPS"),
    (0, b"PK\x03\x04", "ZIP"), (4, b"ftypheic", "HEIC"), (4, b"ftypheix", "HEIC"),
    (4, b"ftypmif1", "HEIC"), (4, b"ftypavif", "AVIF"),
)  # fmt: skip

_FORMAT_WORDS = {
    "PDF": "a PDF document", "GIF": "a GIF image", "PSD": "a Photoshop file (PSD)",
    "TIFF": "a TIFF image", "EPS": "an EPS/PostScript file", "AVIF": "an AVIF image",
    "ZIP": "a ZIP archive (or a document such as a Word or Pages file)",
    "HEIC": "a HEIC photo (the iPhone's format)", "WEBP": "a WebP image", "BMP": "a BMP image",
    "SVG": "an SVG drawing", "JPEG2000": "a JPEG 2000 image", "ICO": "an icon file (ICO)",
}  # fmt: skip


def _identify(raw: bytes) -> str | None:
    """What the file really is, for the message: by signature, else as far as Pillow can
    name it from the header (never decoding it)."""
    head = raw[:64]
    for offset, magic, fmt in _SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            return fmt
    if raw[:4] == b"RIFF" and raw[8:12] == b"WEBP":
        return "WEBP"
    if b"<svg" in raw[:1024].lower():
        return "SVG"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(raw)) as other:
                return str(other.format) if other.format else None
    except Exception:  # naming the format is a courtesy; any failure is "unknown"
        return None


def _as_rgb(im: Image.Image, raw: bytes, fmt: str) -> tuple[bytes, bool, str | None]:
    """The bytes to store, in RGB: the upload itself when it is RGB already."""
    transparent = im.mode in ("RGBA", "LA") or "transparency" in im.info
    if im.mode == "RGB" and not transparent:
        return raw, False, None
    if transparent:
        rgba = im.convert("RGBA")
        lowest, _ = rgba.getchannel("A").getextrema()
        if lowest < 255:
            raise ArtworkRefused(
                "The image has transparent areas. Stores need a solid image: fill the "
                "background and export it again without transparency (a JPEG, or a PNG "
                "without an alpha channel).",
                code="transparent",
            )
        rgb = rgba.convert("RGB")
    else:
        rgb = im.convert("RGB")
    # A greyscale ICC profile does not describe RGB pixels; an RGB one (palette images) does.
    icc = im.info.get("icc_profile") if im.mode in ("P", "RGB", "RGBA") else None
    exif = im.info.get("exif")
    out = io.BytesIO()
    if fmt == "PNG":
        rgb.save(out, "PNG", optimize=False, icc_profile=icc, exif=exif or b"")
        how = "converted it to RGB (nothing is lost)"
    else:
        rgb.save(out, "JPEG", quality=JPEG_QUALITY, subsampling=0, icc_profile=icc,
                 exif=exif or b"")  # fmt: skip
        how = "saved an RGB copy (high-quality JPEG; it looks the same)"
    palette = "a palette (indexed-colour) image"
    what = {"1": "black and white", "L": "greyscale", "LA": "greyscale", "P": palette}.get(im.mode)
    if what is None:  # RGB(A) whose transparency nothing uses
        note = "The image had a transparency channel that nothing used; Liner removed it."
    else:
        note = f"The image was {what}. Stores ask for RGB, so Liner {how}."
    return out.getvalue(), True, note


def _orientation_note(im: Image.Image) -> list[str]:
    try:
        orientation = im.getexif().get(_EXIF_ORIENTATION, 1)
    except Exception:  # unreadable EXIF only costs the note
        return []
    if orientation in (None, 1):
        return []
    return [
        "The image has a rotation flag from a camera or phone (EXIF orientation). Liner's "
        "preview shows it upright, but some stores ignore the flag and may show it turned: "
        "save it upright from your photo or design app to be sure."
    ]


def _profile_note(im: Image.Image) -> list[str]:
    icc = im.info.get("icc_profile")
    if not icc:
        return []
    try:
        from PIL import ImageCms

        description = ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(icc)))
    except Exception:  # an unreadable profile only costs the note
        return []
    description = (description or "").strip()
    if not description or "srgb" in description.lower():
        return []
    return [
        f"The image carries the colour profile “{description}”. Stores expect sRGB, so its "
        "colours may look slightly different there: export it as sRGB for exact colours."
    ]


# --- words -----------------------------------------------------------------------------------


def _px(width: int, height: int) -> str:
    return f"{width} × {height} pixels"


def _size_words(n: int) -> str:
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= size:
            value = n / size
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{n} bytes"


_MODE_WORDS = {
    "L": "greyscale", "1": "black and white", "P": "palette colours",
    "RGBA": "RGB with transparency", "LA": "greyscale with transparency",
    "I;16": "16-bit greyscale", "I;16B": "16-bit greyscale", "I": "32-bit greyscale",
    "F": "floating-point greyscale", "LAB": "Lab colour",
}  # fmt: skip


def _mode_words(mode: str) -> str:
    return _MODE_WORDS.get(mode, mode)
