"""Sending stored audio to the browser: downloads under the track's own name, and ranged
responses so players can seek.

Moved out of ``audio.views`` unchanged.
"""

from __future__ import annotations

import mimetypes
import os
import re
from collections.abc import Iterator

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse

from .models import Job

RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")


STREAM_CHUNK = 256 * 1024


def output_name(job: Job) -> str:
    """The name a downloaded file gets: the track's, not storage's sanitised one."""
    params = job.params or {}
    ext = os.path.splitext(job.output.name)[1] or ".wav"
    stem = os.path.splitext(job.audio_file.original_name)[0]
    if job.kind == Job.Kind.MASTER:
        name = f"{stem} - master {params.get('profile', '')}".strip()
    else:
        tags = params.get("tags") or {}
        title, artists = tags.get("title"), ", ".join(tags.get("artists") or [])
        name = f"{artists} - {title}" if title and artists else title or stem
        if not title and params.get("master"):
            name += " - master"
        if params.get("format") in ("wav24", "wav16"):
            name += f" ({params['format'][3:]}-bit)"
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '/\\:*?"<>|')
    return (name.strip(" .") or "audio") + ext


def attachment(field: FieldFile, name: str) -> FileResponse:
    response = FileResponse(field.open("rb"), as_attachment=True, filename=name)
    response["Cache-Control"] = "private, no-transform"
    return response


def ranged_file(request: HttpRequest, field: FieldFile, name: str) -> HttpResponse:
    """The file, honouring a single HTTP Range (players seek with it): 206 with the part
    asked for, 416 for a range outside the file, 200 with all of it otherwise.

    Django's FileResponse sends whole files only; media elements need ranges to seek.
    """
    size = field.size
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if content_type == "audio/x-wav":
        content_type = "audio/wav"
    match = RANGE_RE.match(request.headers.get("Range", "").strip())
    if not match or not (match.group(1) or match.group(2)):
        response: HttpResponse = FileResponse(field.open("rb"), content_type=content_type)
        response["Accept-Ranges"] = "bytes"
        response["Cache-Control"] = "private, max-age=3600, no-transform"
        return response
    first, last = match.group(1), match.group(2)
    if first:
        start = int(first)
        end = min(int(last), size - 1) if last else size - 1
    else:  # "bytes=-N": the last N bytes
        start, end = max(size - int(last), 0), size - 1
    if start >= size or start > end:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        response["Accept-Ranges"] = "bytes"
        return response
    handle = field.open("rb")
    handle.seek(start)

    def chunks() -> Iterator[bytes]:
        remaining = end - start + 1
        try:
            while remaining > 0:
                data = handle.read(min(STREAM_CHUNK, remaining))
                if not data:
                    return
                remaining -= len(data)
                yield data
        finally:
            handle.close()

    response = StreamingHttpResponse(chunks(), status=206, content_type=content_type)
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, max-age=3600, no-transform"
    return response
