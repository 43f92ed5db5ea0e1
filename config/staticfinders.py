"""Front-end files that ship inside installed Python packages, served as static files.

plotly.js comes with the ``plotly`` package (its version matches the Python library that
builds the figures); this finder exposes just that file as ``vendor/plotly.min.js`` so
``collectstatic``, whitenoise and the development server all find it. No CDN, no npm.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Warning as CheckWarning
from django.core.files.storage import FileSystemStorage


def vendor_files() -> dict[str, Path]:
    """Static path -> the file inside an installed package."""
    import plotly

    return {"vendor/plotly.min.js": Path(plotly.__file__).parent / "package_data" / "plotly.min.js"}


class PackageFilesFinder(BaseFinder):
    """Finds the few files of ``vendor_files()``, and nothing else."""

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> str | list[str]:
        many = find_all or kwargs.get("all", False)  # "all" before Django 5.2
        found = vendor_files().get(path)
        if found is None or not found.is_file():
            return [] if many else ""
        return [str(found)] if many else str(found)

    def list(self, ignore_patterns: Any) -> Iterator[tuple[str, FileSystemStorage]]:
        for name, source in vendor_files().items():
            if not source.is_file():
                continue
            storage = FileSystemStorage(location=str(source.parent))
            # collectstatic writes to prefix/path: vendor/plotly.min.js.
            storage.prefix = os.path.dirname(name)  # type: ignore[attr-defined]
            yield source.name, storage

    def check(self, **kwargs: Any) -> list[CheckWarning]:
        return [
            CheckWarning(
                f"{name} is missing: {source} does not exist.",
                hint="Reinstall the package that ships it (pip install plotly).",
                id="liner.W001",
            )
            for name, source in vendor_files().items()
            if not source.is_file()
        ]
