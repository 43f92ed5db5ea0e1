"""The render job: a delivery file (WAV, FLAC, MP3) of a master or an upload, tagged."""

from __future__ import annotations

import hashlib
import os
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from audio.dsp.errors import AudioError
from audio.dsp.render import FORMATS, render
from audio.dsp.tags import TagError, artwork_mime, validate_tags
from audio.models import AudioFile, Job

from .files import local_path, scratch_folder, store_output
from .jobs import Progress, job_request, job_run, scaled

EXTENSIONS = {"wav24": ".wav", "wav16": ".wav", "flac": ".flac", "mp3": ".mp3"}
LABELS = {
    "wav24": "WAV 24-bit",
    "wav16": "WAV 16-bit 44.1 kHz (CD)",
    "flac": "FLAC",
    "mp3": "MP3 320 kbps",
}
ARTWORK_MAX_BYTES = 10 * 1024 * 1024


def artwork_store(*, workspace_id: int, data: bytes) -> str:
    """Keep cover art for renders under its content hash; returns the storage name."""
    if len(data) > ARTWORK_MAX_BYTES:
        raise ValidationError({"artwork": "The artwork is over 10 MB."})
    try:
        validate_tags({"artwork": data})
    except TagError as exc:
        raise ValidationError({"artwork": str(exc)}) from exc
    ext = ".png" if artwork_mime(data) == "image/png" else ".jpg"
    name = f"audio/{workspace_id}/artwork/{hashlib.sha256(data).hexdigest()}{ext}"
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(data))
    return name


def render_request(
    *,
    audio_file: AudioFile,
    fmt: str,
    master_job: Job | None = None,
    tags: dict[str, Any] | None = None,
    artwork: bytes | None = None,
    user: Any = None,
) -> Job:
    """The render of ``audio_file`` (or of its finished ``master_job``) to ``fmt``, tagged."""
    if fmt not in FORMATS:
        raise ValidationError({"format": f"Format must be one of {', '.join(FORMATS)}."})
    if master_job is not None and (
        master_job.audio_file_id != audio_file.pk
        or master_job.kind != Job.Kind.MASTER
        or master_job.status != Job.Status.DONE
    ):
        raise ValidationError({"master": "Render from a finished master of this file."})
    try:
        clean = validate_tags({k: v for k, v in (tags or {}).items() if k != "artwork"})
    except TagError as exc:
        raise ValidationError({"tags": str(exc)}) from exc
    params: dict[str, Any] = {
        "format": fmt,
        "master": master_job.pk if master_job is not None else None,
        "tags": clean,
        "artwork": None,
    }
    if artwork:
        params["artwork"] = artwork_store(workspace_id=audio_file.workspace_id, data=artwork)
    return job_request(audio_file=audio_file, kind=Job.Kind.RENDER, params=params, user=user)


def render_work(job: Job, progress: Progress) -> dict[str, Any]:
    params = job.params
    audio_file = job.audio_file
    source_field = audio_file.file
    if params.get("master"):
        master_job = Job.objects.filter(pk=params["master"], audio_file=audio_file).first()
        if master_job is None or not master_job.output:
            raise AudioError("The master this render was made from is gone.")
        source_field = master_job.output
    tags = dict(params.get("tags") or {})
    if params.get("artwork"):
        with default_storage.open(params["artwork"], "rb") as handle:
            tags["artwork"] = handle.read()
    fmt = params["format"]
    with local_path(source_field) as source, scratch_folder() as folder:
        out = folder / f"render{EXTENSIONS[fmt]}"
        report = render(source, out, fmt, tags=tags or None, progress=scaled(progress, 0, 99))
        stem = os.path.splitext(audio_file.original_name)[0]
        suffix = " - master" if params.get("master") else ""
        store_output(job.output, out, f"{stem}{suffix} ({fmt}){EXTENSIONS[fmt]}")
    return report


def run(*, job_id: int) -> Job | None:
    return job_run(job_id=job_id, work=render_work)
