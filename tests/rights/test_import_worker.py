"""A statement uploaded for import is imported by a real worker on the real broker."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from releases.services import catalogue
from rights.models import Earning, Statement, StatementJob
from rights.services.statements import statement_upload

from ..conftest import wait_for
from .statements.helpers import DK_NEWER, dk_newer_row, tsv

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_imports_an_uploaded_statement_with_progress(
    celery_worker_process, workspace, owner
):
    release = catalogue.release_create(workspace=workspace, title="Harbour Lights", type="single")
    track = catalogue.track_create(release=release, title="Low Tide")
    track.isrc = "QZABC2600001"
    track.save()
    rows = [dk_newer_row(Quantity=str(n), Store=f"Store {n % 7}") for n in range(30_000)]
    data = tsv(DK_NEWER, rows).encode()
    outcome = statement_upload(
        workspace=workspace, upload=SimpleUploadedFile("big.tsv", data), user=owner
    )
    seen: list[tuple[str, int]] = []

    def ended():
        job = StatementJob.objects.get(pk=outcome.job.pk)
        seen.append((job.status, job.progress))
        return job if job.status in ("done", "failed") else None

    job = wait_for(ended, timeout=120, what="the worker to import the statement")
    assert job.status == "done", job.error
    assert job.progress == 100 and job.attempts == 1
    assert [p for _, p in seen] == sorted(p for _, p in seen)
    assert job.result["lines"] == 30_000 and job.result["matched"] == 30_000
    assert Earning.objects.filter(track=track).count() == 30_000
    assert Statement.objects.get().status == "imported"
