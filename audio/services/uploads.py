"""Taking in an uploaded file: checked before it is stored, stored once, analysed after."""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import RestrictedError

from audio.dsp.errors import AudioError
from audio.dsp.io import AudioInfo, probe
from audio.models import AudioFile, Job
from collaborators.models import Workspace
from collaborators.services import restricted_words

from .files import COPY_CHUNK, scratch_dir
from .jobs import job_request

logger = logging.getLogger(__name__)

NAME_MAX = 200


def clean_name(name: str) -> str:
    """The file's own name, without any folder part or control characters, bounded."""
    base = os.path.basename((name or "").replace("\\", "/")).strip()
    base = "".join(ch for ch in base if ch.isprintable())
    if not base or base in {".", ".."}:
        base = "audio"
    stem, ext = os.path.splitext(base)
    return stem[: NAME_MAX - len(ext[:12])] + ext[:12]


def size_words(n: int) -> str:
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} bytes"


def check_upload_size(size: int | None, name: str = "The file") -> None:
    limit = settings.AUDIO_MAX_UPLOAD_BYTES
    if size is not None and size > limit:
        raise ValidationError(
            {"file": f"“{name}” is {size_words(size)}; the limit is {size_words(limit)}."},
            code="too_large",
        )


def audio_upload(
    *, workspace: Workspace, upload: Any, user: Any = None, name: str | None = None
) -> tuple[AudioFile, bool]:
    """Store an uploaded file as an AudioFile and queue its analysis.

    ``upload`` is a Django UploadedFile or any binary file object. The content decides the
    format; a file that is not usable audio, or is over the size limit, is refused with a
    ValidationError on ``file`` before anything is stored. The same bytes uploaded again to
    the same workspace return the existing AudioFile (second value False).
    """
    name = clean_name(name or getattr(upload, "name", "") or "audio")
    check_upload_size(getattr(upload, "size", None), name)
    with tempfile.NamedTemporaryFile(dir=scratch_dir(), suffix=os.path.splitext(name)[1]) as tmp:
        digest = _copy_hashing(upload, tmp, name)
        try:
            info = probe(tmp.name, max_bytes=settings.AUDIO_MAX_UPLOAD_BYTES, name=name)
        except AudioError as exc:
            raise ValidationError({"file": str(exc)}, code="not_audio") from exc
        existing = AudioFile.objects.filter(workspace=workspace, sha256=digest).first()
        if existing is not None:
            return existing, False
        tmp.seek(0)
        return _store(workspace, File(tmp, name=name), name, digest, info, user)


def _copy_hashing(upload: Any, tmp: Any, name: str) -> str:
    limit = settings.AUDIO_MAX_UPLOAD_BYTES
    sha = hashlib.sha256()
    written = 0
    if hasattr(upload, "seek"):
        upload.seek(0)
    chunks = (
        upload.chunks(COPY_CHUNK)
        if hasattr(upload, "chunks")
        else iter(lambda: upload.read(COPY_CHUNK), b"")
    )
    for chunk in chunks:
        written += len(chunk)
        if written > limit:
            check_upload_size(written, name)
        sha.update(chunk)
        tmp.write(chunk)
    tmp.flush()
    return sha.hexdigest()


def _store(
    workspace: Workspace, content: File, name: str, digest: str, info: AudioInfo, user: Any
) -> tuple[AudioFile, bool]:
    audio = AudioFile(
        workspace=workspace,
        original_name=name,
        sha256=digest,
        format=info.format,
        subtype=info.subtype,
        sample_rate=info.sample_rate,
        bit_depth=info.bit_depth,
        channels=info.channels,
        duration_s=info.duration_s,
        size_bytes=info.size_bytes,
        uploaded_by=user if getattr(user, "is_authenticated", False) else None,
    )
    # The file first, then the row: a row never points at a missing file. If the row cannot
    # be written, the stored copy goes again.
    audio.file.save(name, content, save=False)
    try:
        with transaction.atomic():
            audio.save()
            analysis_request(audio_file=audio, user=user)
    except IntegrityError:
        audio.file.storage.delete(audio.file.name)
        existing = AudioFile.objects.filter(workspace=workspace, sha256=digest).first()
        if existing is None:
            raise
        return existing, False
    except BaseException:
        audio.file.storage.delete(audio.file.name)
        raise
    return audio, True


def analysis_request(*, audio_file: AudioFile, user: Any = None) -> Job:
    from audio.dsp.analysis import ENGINE_VERSION

    return job_request(
        audio_file=audio_file, kind=Job.Kind.ANALYZE, params={"engine": ENGINE_VERSION}, user=user
    )


def audio_file_delete(*, audio_file: AudioFile) -> None:
    """Remove the file, its jobs and everything they produced."""
    names = [audio_file.file.name] + [
        job.output.name for job in audio_file.jobs.exclude(output="") if job.output
    ]
    storage = audio_file.file.storage

    def remove_files() -> None:
        for name in names:
            if name:
                storage.delete(name)

    with transaction.atomic():
        try:
            audio_file.delete()
        except RestrictedError as exc:
            # Another app (a release's mix version, say) relies on these exact bytes.
            raise ValidationError(
                f"“{audio_file.original_name}” is still in use ({restricted_words(exc)}); "
                "remove it there first."
            ) from exc
        transaction.on_commit(remove_files)
