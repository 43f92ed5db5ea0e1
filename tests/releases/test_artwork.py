"""Cover art: the checks (no database), the profile findings, and the service that stores the
original and its preview. Every image is made here with Pillow or crafted byte by byte."""

from __future__ import annotations

import hashlib
import io
import random
import struct
import time
import tracemalloc
import zlib
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from PIL import Image

from audio.dsp.profiles import all_profiles, get_profile
from collaborators.permissions import Role
from releases.artwork_check import (
    MAX_BYTES,
    MAX_PIXELS,
    ArtworkRefused,
    artwork_inspect,
    artwork_profile_findings,
    artwork_thumbnail,
)
from releases.models import Release
from releases.services.artwork import THUMB_PX, release_artwork_remove, release_artwork_set
from tests.factories import ReleaseFactory, UserFactory

RED, BLUE = (220, 20, 30), (20, 40, 220)


def image_bytes(size=(3000, 3000), mode="RGB", fmt="JPEG", color=None, **save) -> bytes:
    if color is None:
        color = {"RGB": RED, "CMYK": (0, 90, 90, 0), "P": 5, "RGBA": (*RED, 255)}.get(mode, 128)
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, fmt, **save)
    return out.getvalue()


def halves(size=3000, **save) -> bytes:
    """Left half red, right half blue: shows which way up a preview came out."""
    im = Image.new("RGB", (size, size), RED)
    im.paste(BLUE, (size // 2, 0, size, size))
    out = io.BytesIO()
    im.save(out, "JPEG", quality=90, **save)
    return out.getvalue()


def png_header_only(width: int, height: int, idat: bytes | None = None) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` RGB, with a tiny (or given) IDAT."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = idat if idat is not None else zlib.compress(b"\0" * 1000)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def zeros_deflated(n: int) -> bytes:
    """``n`` zero bytes, deflated: a real decompression bomb's payload, made in small steps."""
    z = zlib.compressobj(1)
    block = bytes(1 << 20)
    parts = [z.compress(block) for _ in range(n >> 20)]
    parts.append(z.compress(bytes(n & ((1 << 20) - 1))))
    return b"".join(parts) + z.flush()


def refused(data, **kw) -> ArtworkRefused:
    with pytest.raises(ArtworkRefused) as info:
        artwork_inspect(data, **kw)
    return info.value


def decoded(data: bytes) -> Image.Image:
    im = Image.open(io.BytesIO(data))
    im.load()
    return im


# --- the checks ------------------------------------------------------------------------------


def test_a_3000_square_rgb_jpeg_passes_clean():
    data = image_bytes()
    report = artwork_inspect(data)
    assert (report.width, report.height, report.format, report.mode) == (3000, 3000, "JPEG", "RGB")
    assert report.warnings == ()
    assert report.sha256 == hashlib.sha256(data).hexdigest() == report.content_sha256
    assert report.content == data and not report.converted


def test_a_2000_square_image_passes_with_a_warning():
    report = artwork_inspect(image_bytes((2000, 2000)))
    assert len(report.warnings) == 1
    assert "2000 × 2000" in report.warnings[0]
    assert "most stores accept it" in report.warnings[0]
    assert "Apple Music and others ask for 3000 × 3000" in report.warnings[0]


def test_1400_is_the_smallest_that_passes_and_1000_fails():
    assert artwork_inspect(image_bytes((1400, 1400))).warnings
    exc = refused(image_bytes((1000, 1000)))
    assert exc.code == "too_small"
    assert "1000 × 1000" in str(exc) and "at least 1400 × 1400" in str(exc)
    assert refused(image_bytes((1399, 1399))).code == "too_small"


def test_a_non_square_image_is_refused_saying_its_size():
    exc = refused(image_bytes((3000, 2000)))
    assert exc.code == "not_square"
    assert "3000 × 2000 pixels" in str(exc) and "square" in str(exc)


def test_cmyk_is_refused_with_how_to_convert():
    exc = refused(image_bytes(mode="CMYK"))
    assert exc.code == "cmyk"
    assert "export as RGB/sRGB from your design app" in str(exc)
    assert "Photoshop: Image > Mode > RGB Color" in str(exc)


def test_a_20000_square_png_header_is_refused_before_any_pixel_is_decoded():
    data = png_header_only(20000, 20000)
    before = Image.core.get_stats()["new_count"]
    tracemalloc.start()
    started = time.perf_counter()
    try:
        exc = refused(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert exc.code == "too_many_pixels"
    assert "far too large" in str(exc)
    # No image memory was allocated (Pillow counts every one), and the check was header-only:
    # decoding would need 1.2 GB and several seconds.
    assert Image.core.get_stats()["new_count"] == before
    assert peak < 2_000_000
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize("side", [8001, 9000, 10000])
def test_over_liners_own_pixel_limit_is_refused_from_the_header(side):
    # 8001 and 9000 are under Pillow's own warning (89 MP), 10000 over it: refused alike.
    # 9000's IDAT is a real payload: 243 MB of pixels in 240 KB.
    idat = zeros_deflated((side * 3 + 1) * side) if side == 9000 else None
    data = png_header_only(side, side, idat)
    assert len(data) < MAX_BYTES
    before = Image.core.get_stats()["new_count"]
    exc = refused(data)
    assert exc.code == "too_many_pixels"
    assert f"{MAX_PIXELS // 1_000_000} megapixels" in str(exc)
    assert Image.core.get_stats()["new_count"] == before


def test_a_truncated_jpeg_is_refused_as_damaged():
    data = image_bytes()
    exc = refused(data[: len(data) // 2])
    assert exc.code == "damaged"
    assert "the image is damaged or incomplete" in str(exc).lower()


def test_a_jpeg_cut_off_inside_its_header_is_damaged_too():
    assert refused(image_bytes()[:200]).code == "damaged"


def test_a_truncated_png_is_refused_as_damaged():
    noise = Image.frombytes("RGB", (1500, 1500), random.Random(3).randbytes(1500 * 1500 * 3))
    out = io.BytesIO()
    noise.save(out, "PNG")
    data = out.getvalue()
    assert refused(data[: len(data) * 2 // 3]).code == "damaged"


def test_random_bytes_are_not_an_image():
    exc = refused(random.Random(7).randbytes(50_000), name="cover.jpg")
    assert exc.code == "not_image"
    assert "“cover.jpg” is not an image Liner can read" in str(exc)


def test_a_gif_is_refused_by_name():
    exc = refused(image_bytes((100, 100), fmt="GIF"), name="cover.png")
    assert exc.code == "wrong_format"
    assert "“cover.png” is a GIF image" in str(exc) and "JPEG or PNG" in str(exc)


def test_a_webp_is_named_by_pillow():
    exc = refused(image_bytes((100, 100), fmt="WEBP"))
    assert exc.code == "wrong_format" and "WebP" in str(exc)


def test_a_pdf_renamed_jpg_is_refused_as_a_pdf():
    pdf = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n" + b"x" * 4000 + b"\n%%EOF\n"
    exc = refused(pdf, name="cover.jpg")
    assert exc.code == "wrong_format"
    assert "“cover.jpg” is a PDF document, whatever its name says" in str(exc)


def test_an_empty_file_is_refused():
    assert refused(b"").code == "empty"


class CountingReader(io.BytesIO):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.bytes_read = 0

    def read(self, n=-1):
        chunk = super().read(n)
        self.bytes_read += len(chunk)
        return chunk


def test_an_11_mb_file_is_refused_without_reading_it_all():
    eleven = b"\xff\xd8\xff\xe0" + bytes(11 * 1024 * 1024)
    exc = refused(eleven)
    assert exc.code == "too_large" and "11.0 MB" in str(exc) and "at most 10 MB" in str(exc)

    reader = CountingReader(eleven)
    assert refused(reader).code == "too_large"
    assert reader.bytes_read <= MAX_BYTES + 1

    upload = SimpleUploadedFile("cover.jpg", eleven, content_type="image/jpeg")
    upload.file = CountingReader(eleven)
    exc = refused(upload)
    assert "11.0 MB" in str(exc)
    assert upload.file.bytes_read == 0  # its size said enough


def test_greyscale_and_palette_pngs_become_rgb_without_loss():
    grey = Image.linear_gradient("L").resize((1400, 1400))
    out = io.BytesIO()
    grey.save(out, "PNG")
    report = artwork_inspect(out.getvalue())
    assert report.converted and report.source_mode == "L" and report.mode == "RGB"
    assert report.content_sha256 == hashlib.sha256(report.content).hexdigest() != report.sha256
    assert any("was greyscale" in w and "nothing is lost" in w for w in report.warnings)
    stored = decoded(report.content)
    assert (stored.format, stored.mode) == ("PNG", "RGB")
    assert stored.tobytes() == grey.convert("RGB").tobytes()

    palette = grey.convert("P")
    out = io.BytesIO()
    palette.save(out, "PNG")
    report = artwork_inspect(out.getvalue())
    assert report.source_mode == "P"
    assert decoded(report.content).tobytes() == palette.convert("RGB").tobytes()


def test_a_greyscale_jpeg_is_saved_as_rgb():
    report = artwork_inspect(image_bytes(mode="L"))
    assert report.format == "JPEG" and report.converted
    assert decoded(report.content).mode == "RGB"


def test_transparency_is_refused_but_an_unused_alpha_channel_is_dropped():
    see_through = Image.new("RGBA", (1400, 1400), (*RED, 255))
    see_through.paste((0, 0, 0, 0), (0, 0, 100, 100))
    out = io.BytesIO()
    see_through.save(out, "PNG")
    exc = refused(out.getvalue())
    assert exc.code == "transparent" and "transparent areas" in str(exc)

    report = artwork_inspect(image_bytes((1400, 1400), mode="RGBA", fmt="PNG"))
    assert report.converted and decoded(report.content).mode == "RGB"


def test_16_bit_greyscale_is_refused_with_what_to_export():
    exc = refused(image_bytes((1400, 1400), mode="I;16", fmt="PNG", color=30000))
    assert exc.code == "color_mode" and "16-bit greyscale" in str(exc) and "8-bit RGB" in str(exc)


def test_a_rotation_flag_is_warned_about_and_the_preview_is_upright():
    exif = Image.Exif()
    exif[0x0112] = 6  # shown turned 90° clockwise
    report = artwork_inspect(halves(exif=exif))
    assert any("rotation flag" in w for w in report.warnings)
    preview = decoded(artwork_thumbnail(report.content, px=600))
    assert preview.size == (600, 600) and preview.format == "JPEG"
    # The stored left half (red) is the top once turned.
    assert _near(preview.getpixel((300, 60)), RED)
    assert _near(preview.getpixel((300, 540)), BLUE)
    assert not preview.getexif().get(0x0112)


def _near(pixel, color, tolerance=40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, color, strict=True))


# --- findings per store ----------------------------------------------------------------------


def test_a_1400_cover_is_judged_store_by_store():
    report = artwork_inspect(image_bytes((1400, 1400)))
    findings = {p.slug: artwork_profile_findings(report, p) for p in all_profiles()}
    for slug in ("spotify", "apple-music", "youtube", "amazon-music", "tidal", "deezer"):
        assert [f.code for f in findings[slug]] == ["too_small"], slug
        assert "at least 3000 × 3000" in findings[slug][0].message
    assert "Apple Music needs" in findings["apple-music"][0].message
    for slug in ("bandcamp", "soundcloud", "podcast"):
        assert findings[slug] == [], slug
    assert findings["cd"] == [] and findings["vinyl"] == []  # no cover-art rule
    # And exactly as the table says, for every profile.
    for profile in all_profiles():
        expected = profile.artwork is not None and profile.artwork.min_px > 1400
        assert bool(findings[profile.slug]) is expected, profile.slug


def test_a_large_cover_is_too_big_for_apple_podcasts_only():
    report = artwork_inspect(image_bytes((3500, 3500)))
    podcast = artwork_profile_findings(report, get_profile("podcast"))
    assert [f.code for f in podcast] == ["too_big"]
    assert "at most 3000 × 3000" in podcast[0].message
    assert artwork_profile_findings(report, get_profile("spotify")) == []


# --- the service -----------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    settings.MEDIA_ROOT = str(root)
    return root


@pytest.fixture
def release(workspace):
    return ReleaseFactory(workspace=workspace, title="Night Drive")


def stored_files(media: Path) -> set[str]:
    return {str(p.relative_to(media)) for p in media.rglob("*") if p.is_file()}


def upload(data: bytes, name: str = "cover.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def test_setting_artwork_stores_the_original_and_a_600_preview(
    media, release, owner, django_capture_on_commit_callbacks
):
    data = image_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        result = release_artwork_set(release=release, upload=upload(data), user=owner)
    sha = hashlib.sha256(data).hexdigest()
    row = Release.objects.get(pk=release.pk)
    assert result is release and release.artwork.name == row.artwork.name
    assert row.artwork.name == f"releases/artwork/{release.pk}/{sha}.jpg"
    assert row.artwork_thumb.name == f"releases/artwork/{release.pk}/{sha}-{THUMB_PX}.jpg"
    assert (row.artwork_width, row.artwork_height, row.artwork_format) == (3000, 3000, "JPEG")
    assert row.artwork_sha256 == sha and row.artwork_warnings == []
    assert stored_files(media) == {row.artwork.name, row.artwork_thumb.name}
    with row.artwork.open("rb") as f:
        assert f.read() == data
    with row.artwork_thumb.open("rb") as f:
        preview = decoded(f.read())
    assert preview.size == (THUMB_PX, THUMB_PX) and preview.format == "JPEG"


def test_warnings_are_kept_on_the_release(media, release, owner):
    release_artwork_set(release=release, upload=upload(image_bytes((2000, 2000))), user=owner)
    row = Release.objects.get(pk=release.pk)
    assert row.artwork_width == 2000
    assert len(row.artwork_warnings) == 1 and "Apple Music" in row.artwork_warnings[0]


def test_a_converted_png_is_stored_as_rgb_under_its_new_hash(media, release, owner):
    release_artwork_set(
        release=release, upload=upload(image_bytes(mode="P", fmt="PNG"), "cover.png"), user=owner
    )
    row = Release.objects.get(pk=release.pk)
    with row.artwork.open("rb") as f:
        content = f.read()
    assert row.artwork.name.endswith(f"/{hashlib.sha256(content).hexdigest()}.png")
    assert row.artwork_sha256 == hashlib.sha256(content).hexdigest()
    assert decoded(content).mode == "RGB"


def test_a_refused_upload_shows_next_to_the_field_and_stores_nothing(media, release, owner):
    with pytest.raises(ValidationError) as info:
        release_artwork_set(release=release, upload=upload(image_bytes(mode="CMYK")), user=owner)
    assert list(info.value.message_dict) == ["artwork"]
    assert "Image > Mode > RGB Color" in info.value.message_dict["artwork"][0]
    assert info.value.error_dict["artwork"][0].code == "cmyk"
    assert stored_files(media) == set()
    assert Release.objects.get(pk=release.pk).artwork.name == ""


def _set_first_cover(release, owner, capture) -> tuple[Release, set[str]]:
    with capture(execute=True):
        release_artwork_set(release=release, upload=upload(image_bytes()), user=owner)
    before = Release.objects.get(pk=release.pk)
    return before, {before.artwork.name, before.artwork_thumb.name}


def _disk_full_on_preview(monkeypatch):
    real_save = FileSystemStorage._save

    def save(self, name, content):
        if name.endswith(f"-{THUMB_PX}.jpg"):
            # Half a file, then the disk fills up.
            Path(self.path(name)).parent.mkdir(parents=True, exist_ok=True)
            Path(self.path(name)).write_bytes(b"\xff\xd8\xff" + b"\0" * 100)
            raise OSError(28, "No space left on device")
        return real_save(self, name, content)

    monkeypatch.setattr(FileSystemStorage, "_save", save)


def _database_down(monkeypatch):
    def save(self, *args, **kwargs):
        raise DatabaseError("disk I/O error")

    monkeypatch.setattr(Release, "save", save)


@pytest.mark.parametrize(
    ("failure", "error"), [(_disk_full_on_preview, OSError), (_database_down, DatabaseError)]
)
def test_a_failed_replacement_keeps_the_previous_artwork_and_no_new_files(
    media, release, owner, monkeypatch, django_capture_on_commit_callbacks, failure, error
):
    before, first_files = _set_first_cover(release, owner, django_capture_on_commit_callbacks)
    failure(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(error):
        release_artwork_set(release=release, upload=upload(halves()), user=owner)
    after = Release.objects.get(pk=release.pk)
    assert after.artwork.name == before.artwork.name
    assert after.artwork_thumb.name == before.artwork_thumb.name
    assert after.artwork_sha256 == before.artwork_sha256
    assert stored_files(media) == first_files
    assert release.artwork.name == before.artwork.name  # the caller's instance too


def test_replacing_deletes_the_old_files_after_commit(
    media, release, owner, django_capture_on_commit_callbacks
):
    _, first_files = _set_first_cover(release, owner, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        release_artwork_set(release=release, upload=upload(halves()), user=owner)
    assert first_files < stored_files(media)  # not before the commit
    for callback in callbacks:
        callback()
    row = Release.objects.get(pk=release.pk)
    assert stored_files(media) == {row.artwork.name, row.artwork_thumb.name}
    assert not first_files & stored_files(media)


def test_the_same_cover_again_keeps_its_files(
    media, release, owner, django_capture_on_commit_callbacks
):
    _, first_files = _set_first_cover(release, owner, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        release_artwork_set(release=release, upload=upload(image_bytes()), user=owner)
    assert stored_files(media) == first_files


def test_a_half_written_file_under_the_name_is_replaced(media, release, owner):
    data = image_bytes()
    name = f"releases/artwork/{release.pk}/{hashlib.sha256(data).hexdigest()}.jpg"
    (media / name).parent.mkdir(parents=True)
    (media / name).write_bytes(data[:1000])  # what a killed upload left
    release_artwork_set(release=release, upload=upload(data), user=owner)
    assert (media / name).read_bytes() == data


def test_two_releases_with_the_same_cover_keep_their_own_files(
    media, workspace, owner, django_capture_on_commit_callbacks
):
    a, b = ReleaseFactory(workspace=workspace), ReleaseFactory(workspace=workspace)
    with django_capture_on_commit_callbacks(execute=True):
        release_artwork_set(release=a, upload=upload(image_bytes()), user=owner)
        release_artwork_set(release=b, upload=upload(image_bytes()), user=owner)
        release_artwork_set(release=a, upload=upload(halves()), user=owner)
    b.refresh_from_db()
    assert (media / b.artwork.name).exists() and (media / b.artwork_thumb.name).exists()


def test_removing_artwork_clears_the_release_and_its_files(
    media, release, owner, django_capture_on_commit_callbacks
):
    _set_first_cover(release, owner, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        release_artwork_remove(release=release, user=owner)
    row = Release.objects.get(pk=release.pk)
    assert row.artwork.name == row.artwork_thumb.name == "" and row.artwork_width is None
    assert (row.artwork_format, row.artwork_sha256, row.artwork_warnings) == ("", "", [])
    assert not release.artwork
    assert stored_files(media) == set()


def test_only_editors_of_the_workspace_may_change_artwork(
    media, release, member_of, other_workspace
):
    viewer = member_of(Role.VIEWER)
    stranger = member_of(Role.OWNER, ws=other_workspace)
    for user in (viewer, stranger, UserFactory()):
        with pytest.raises(PermissionDenied):
            release_artwork_set(release=release, upload=upload(image_bytes()), user=user)
        with pytest.raises(PermissionDenied):
            release_artwork_remove(release=release, user=user)
    assert stored_files(media) == set()
    member = member_of(Role.MEMBER)
    release_artwork_set(release=release, upload=upload(image_bytes()), user=member)
    assert Release.objects.get(pk=release.pk).artwork
