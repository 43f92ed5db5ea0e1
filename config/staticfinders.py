"""Front-end files that ship inside installed Python packages, served as static files.

plotly.js comes with the `plotly` package (its version matches the Python library that
builds the figures); this finder exposes just that file as ``vendor/plotly.min.js`` so
``collectstatic``, whitenoise and the development server all find it. No CDN, no npm.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage


def _vendor_files() -> dict[str, Path]:
    import plotly

    return {"vendor/plotly.min.js": Path(plotly.__file__).parent / "package_data" / "plotly.min.js"}


class PackageFilesFinder(BaseFinder):
    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> str | list[str]:
        found = _vendor_files().get(path)
        if found is None or not found.exists():
            return [] if find_all or kwargs.get("all") else ""
        return [str(found)] if find_all or kwargs.get("all") else str(found)

    def list(self, ignore_patterns: Any) -> Any:
        for name, source in _vendor_files().items():
            storage = FileSystemStorage(location=str(source.parent))
            storage.prefix = os.path.dirname(name)  # collected as vendor/plotly.min.js
            yield source.name, storage

    def check(self, **kwargs: Any) -> list[Any]:
        return []
