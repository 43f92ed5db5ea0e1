"""Getting stored audio onto local disk for the DSP code, and job outputs back into storage.

The DSP code reads paths. With the default file system storage a stored file already has one;
with object storage (S3 and the like) it is copied to a temporary file first, in chunks.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db.models.fields.files import FieldFile

COPY_CHUNK = 1 << 20


def scratch_dir() -> Path:
    """Where temporary audio goes: under the data folder, never the checkout."""
    path = Path(settings.FILE_UPLOAD_TEMP_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextlib.contextmanager
def local_path(field: FieldFile) -> Iterator[str]:
    """A path on local disk holding the stored file's bytes, for as long as the block runs."""
    try:
        yield field.path
        return
    except NotImplementedError:  # remote storage: no path of its own
        pass
    suffix = os.path.splitext(field.name)[1]
    with tempfile.NamedTemporaryFile(dir=scratch_dir(), suffix=suffix) as tmp:
        with field.open("rb") as src:
            shutil.copyfileobj(src, tmp, COPY_CHUNK)
        tmp.flush()
        yield tmp.name


@contextlib.contextmanager
def scratch_folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(dir=scratch_dir(), prefix="liner-job-") as tmp:
        yield Path(tmp)


def store_output(field: FieldFile, path: str | os.PathLike[str], name: str) -> None:
    """Save the finished file at ``path`` as ``field``'s file, replacing a previous attempt's.

    The model instance is not saved here; the caller saves it with the job's outcome.
    """
    if field.name:
        field.storage.delete(field.name)
    with open(path, "rb") as handle:
        field.save(name, File(handle), save=False)
