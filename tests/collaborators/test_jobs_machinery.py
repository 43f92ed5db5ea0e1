"""The job machinery as such (collaborators.jobs), apart from any one app's work: the registry
routes each model's kinds to its tasks, the sweep covers every registered model, bad input
fails a job at once while a transient error re-queues it, and the shared page pieces.

audio.Job stands for "an app's job model"; a second model, made for one test, shows the sweep
going over more than one.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from celery.exceptions import Retry
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone

from audio.models import AudioFile, Job
from collaborators.jobs import registry
from collaborators.jobs import services as jobs
from collaborators.jobs.checks import job_tasks_check
from collaborators.jobs.models import BaseJob
from collaborators.jobs.tasks import job_task
from collaborators.jobs.views import job_json, job_progress
from collaborators.tasks import jobs_sweep as sweep_task
from config.celery import task

from ..factories import WorkspaceFactory

SENT: list[tuple[str, int]] = []


@task(name="tests.jobs.audio")
def audio_task(*, job_id: int) -> None:
    SENT.append(("audio", job_id))


@task(name="tests.jobs.other")
def other_task(*, job_id: int) -> None:
    SENT.append(("other", job_id))


AUDIO_TASKS = {"analyze": audio_task, "master": audio_task, "render": audio_task}
OTHER_TASKS = {"import": other_task}


@pytest.fixture
def registered(monkeypatch):
    """A registry of this test's own, with audio's jobs sent to ``audio_task``."""
    SENT.clear()
    monkeypatch.setattr(registry, "_TYPES", dict(registry._TYPES))
    registry.register_job_model(model=Job, tasks=f"{__name__}.AUDIO_TASKS")
    return SENT


def _audio_file(**fields):
    return AudioFile.objects.create(
        **{
            "workspace": WorkspaceFactory(),
            "original_name": "mix.wav",
            "file": "audio/x/mix.wav",
            "sha256": "b" * 64,
            "format": "WAV",
            "sample_rate": 48000,
            "channels": 2,
            "duration_s": 10.0,
            "size_bytes": 1000,
            **fields,
        }
    )


@pytest.fixture
def audio_file(db):
    return _audio_file()


def _request(audio_file, **kwargs):
    return jobs.job_request(
        model=Job, workspace_id=audio_file.workspace_id, audio_file=audio_file, **kwargs
    )


# --- Registry and enqueue ---------------------------------------------------------------------


def test_audio_registers_its_jobs_from_its_app_config():
    job_type = registry.job_type(Job)
    assert job_type.tasks == "audio.tasks.TASKS"
    from audio import tasks

    assert job_type.task("master") is tasks.master
    assert "audio.Job" in [t.model._meta.label for t in registry.job_types()]


def test_only_concrete_job_models_register():
    with pytest.raises(TypeError):
        registry.register_job_model(model=BaseJob, tasks="x.TASKS")
    with pytest.raises(TypeError):
        registry.register_job_model(model=AudioFile, tasks="x.TASKS")


def test_a_request_is_sent_through_the_registered_task_once(
    audio_file, registered, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = _request(audio_file, kind="master", params={"profile": "tidal"})
        again = _request(audio_file, kind="master", params={"profile": "tidal"})
    assert again.pk == job.pk and len(callbacks) == 1
    assert registered == [("audio", job.pk)]
    job.refresh_from_db()
    assert job.status == "queued" and job.enqueued_at is not None
    assert job.workspace.audio_jobs.get() == job  # the reverse accessor is per app
    # Other parameters, or another file: other work, another job.
    other = _request(audio_file, kind="master", params={"profile": "cd"})
    second_file = _audio_file(workspace=audio_file.workspace, sha256="c" * 64)
    elsewhere = _request(second_file, kind="master", params={"profile": "tidal"})
    assert len({job.pk, other.pk, elsewhere.pk}) == 3


def test_a_kind_without_a_task_is_refused_and_nothing_is_stored(audio_file, monkeypatch):
    monkeypatch.setattr(registry, "_TYPES", dict(registry._TYPES))
    registry.register_job_model(model=Job, tasks=f"{__name__}.OTHER_TASKS")
    with pytest.raises(LookupError, match="no task for 'analyze'"):
        _request(audio_file, kind="analyze")
    assert not Job.objects.exists()


def test_an_unregistered_model_says_how_to_register(audio_file, monkeypatch):
    monkeypatch.setattr(registry, "_TYPES", {})
    with pytest.raises(LookupError, match="register_job_model"):
        _request(audio_file, kind="analyze")


def test_check_names_a_kind_without_a_task(monkeypatch):
    assert job_tasks_check() == []
    monkeypatch.setattr(registry, "_TYPES", dict(registry._TYPES))
    registry.register_job_model(model=Job, tasks=f"{__name__}.OTHER_TASKS")
    (error,) = job_tasks_check()
    assert error.id == "jobs.E002" and "analyze, master, render" in error.msg
    registry.register_job_model(model=Job, tasks=f"{__name__}.NO_SUCH_TASKS")
    assert [e.id for e in job_tasks_check()] == ["jobs.E001"]


# --- Running: permanent and transient failures ------------------------------------------------


def test_a_validation_error_fails_the_job_at_once_in_words(audio_file, registered):
    job = _request(audio_file, kind="analyze")

    def work(job, progress):
        progress(30, "Reading")
        raise ValidationError({"profile": "“loud” is not a delivery profile."})

    jobs.job_run(model=Job, job_id=job.pk, work=work)
    job.refresh_from_db()
    assert job.status == "failed" and job.attempts == 1 and job.finished_at is not None
    assert job.error == "“loud” is not a delivery profile."


def test_the_callers_permanent_errors_fail_at_once_too(audio_file, registered):
    class BadStatement(ValueError):
        pass

    job = _request(audio_file, kind="analyze")

    def work(job, progress):
        raise BadStatement("Row 12 has no ISRC.")

    jobs.job_run(model=Job, job_id=job.pk, work=work, permanent=(BadStatement,))
    job.refresh_from_db()
    assert (job.status, job.error) == ("failed", "Row 12 has no ISRC.")


def test_a_transient_error_requeues_the_job_and_reraises_then_fails_readably(
    audio_file, registered
):
    job = _request(audio_file, kind="analyze")

    def work(job, progress):
        raise TimeoutError("storage did not answer")

    with pytest.raises(TimeoutError):
        jobs.job_run(model=Job, job_id=job.pk, work=work, max_attempts=2)
    job.refresh_from_db()
    assert (job.status, job.stage, job.attempts, job.error) == ("queued", "Retrying", 1, "")
    jobs.job_run(model=Job, job_id=job.pk, work=work, max_attempts=2)
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.error == "Failed after 2 attempts: TimeoutError: storage did not answer"


def test_a_failed_job_asked_for_again_is_queued_and_sent_again(
    audio_file, registered, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = _request(audio_file, kind="analyze")
    jobs.job_fail(job=job, error="boom")
    with django_capture_on_commit_callbacks(execute=True):
        again = _request(audio_file, kind="analyze")
    assert again.pk == job.pk and registered == [("audio", job.pk), ("audio", job.pk)]
    job.refresh_from_db()
    assert (job.status, job.error, job.attempts, job.finished_at) == ("queued", "", 0, None)


def test_a_job_task_leaves_a_job_a_live_worker_holds(audio_file, registered, settings):
    settings.JOB_STALE_SECONDS = 60
    job = _request(audio_file, kind="analyze")
    Job.objects.filter(pk=job.pk).update(status="running", heartbeat_at=timezone.now())
    ran = []

    @job_task(name="tests.jobs.busy")
    def busy(*, job_id: int) -> None:
        jobs.job_run(model=Job, job_id=job_id, work=lambda job, progress: ran.append(1) or {})

    with pytest.raises(Retry) as retry:  # comes back later, in case that worker dies
        busy.delay(job_id=job.pk)
    assert retry.value.when == 30 and isinstance(retry.value.exc, jobs.JobBusy)
    job.refresh_from_db()
    assert ran == [] and job.status == "running" and job.attempts == 0


# --- The sweep over every registered model ----------------------------------------------------


@pytest.fixture
def other_job_model(transactional_db, registered):
    """A second app's job model (as rights/ will have), with a table for this test only."""

    class StatementImportJob(BaseJob):
        class Kind(models.TextChoices):
            IMPORT = "import", "Statement import"

        kind = models.CharField(max_length=32, choices=Kind.choices)

        class Meta(BaseJob.Meta):
            app_label = "collaborators"
            db_table = "tests_statement_import_job"

    with connection.schema_editor() as editor:
        editor.create_model(StatementImportJob)
    registry.register_job_model(model=StatementImportJob, tasks=f"{__name__}.OTHER_TASKS")
    try:
        yield StatementImportJob
    finally:
        with connection.schema_editor() as editor:
            editor.delete_model(StatementImportJob)
        del apps.all_models["collaborators"][StatementImportJob._meta.model_name]
        apps.clear_cache()


def test_the_sweep_resends_the_lost_jobs_of_every_registered_model(
    other_job_model, registered, settings
):
    settings.JOB_REQUEUE_SECONDS, settings.JOB_STALE_SECONDS = 300, 120
    audio_file = _audio_file()
    workspace = audio_file.workspace
    old, now = timezone.now() - timedelta(minutes=10), timezone.now()

    def audio_job(n, **fields):
        return Job.objects.create(
            workspace=workspace, audio_file=audio_file, kind="analyze", key=f"a{n}", **fields
        )

    def import_job(n, **fields):
        return other_job_model.objects.create(
            workspace=workspace, kind="import", key=f"i{n}", **fields
        )

    lost = [
        ("audio", audio_job(1, enqueued_at=old).pk),
        ("audio", audio_job(2, status="running", heartbeat_at=old).pk),
        ("other", import_job(1, enqueued_at=None).pk),
        ("other", import_job(2, status="running", heartbeat_at=old).pk),
    ]
    audio_job(3, enqueued_at=now)
    import_job(3, status="running", heartbeat_at=now)
    import_job(4, status="done", enqueued_at=old)

    assert sweep_task.delay().get() == 4  # the one scheduled task, for every app
    assert sorted(registered) == sorted(lost)
    assert other_job_model.objects.filter(status="queued").count() == 2
    assert other_job_model.objects.get(key="i2").stage == "Re-queued"
    # Only the models it is given, when asked (audio's own sweep).
    assert jobs.jobs_sweep(models=[other_job_model]) == 0  # just re-sent: not lost yet
    assert str(other_job_model.objects.get(key="i1")).startswith("Statement import")


# --- Page pieces ------------------------------------------------------------------------------


def test_the_progress_bar_polls_its_url_and_the_poll_reloads_the_page_when_done(audio_file):
    job = Job.objects.create(
        workspace=audio_file.workspace, audio_file=audio_file, kind="master", key="k",
        status="running", progress=40, stage="Limiting", attempts=2,
    )  # fmt: skip
    html = render_to_string(
        "jobs/_progress.html", {"job": job, "poll": True, "poll_url": "/w/jobs/7/"}
    )
    assert 'hx-get="/w/jobs/7/?was=running"' in html and 'aria-valuenow="40"' in html
    assert "Mastering</span>: Limiting · 40 % · attempt 2" in html
    quiet = render_to_string("jobs/_progress.html", {"job": job, "poll": False})
    assert "hx-get" not in quiet

    request = RequestFactory().get("/w/jobs/7/", {"was": "running"})
    response = job_progress(request, job, poll_url="/w/jobs/7/")
    assert "HX-Refresh" not in response
    jobs.job_fail(job=job, error="The master is silent.")
    response = job_progress(request, job, poll_url="/w/jobs/7/")
    body = response.content.decode()
    assert response["HX-Refresh"] == "true" and "hx-get" not in body
    assert "Mastering failed after 2 attempts: The master is silent." in body

    state = job_json(job)
    assert state["status"] == "failed" and state["error"] == "The master is silent."
    assert set(state) == {
        "id", "kind", "status", "progress", "stage", "attempts", "error", "seconds",
        "created_at", "started_at", "finished_at",
    }  # fmt: skip
