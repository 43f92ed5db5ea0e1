"""Shared fixtures: users in roles, API clients, and a real Celery worker for the tests that
need one."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from collaborators.permissions import Role

from .factories import MembershipFactory, UserFactory, WorkspaceFactory

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # Lockouts are tested on purpose in one place; elsewhere failed logins must not pile up.
    settings.AXES_ENABLED = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _tasks_run_inline(request):
    """Tasks enqueued by the code under test run in-process, unless the test is marked
    ``worker``: those go through the real broker to a real worker process."""
    from config.celery import app

    eager = request.node.get_closest_marker("worker") is None
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = eager
    app.conf.task_eager_propagates = eager
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def workspace(db):
    return WorkspaceFactory(name="Maya Lind", slug="maya")


@pytest.fixture
def other_workspace(db):
    return WorkspaceFactory(name="Marchetti Records", slug="marchetti")


@pytest.fixture
def member_of(workspace) -> Callable[..., object]:
    """member_of(role) -> a user holding that role in ``workspace``."""

    def make(role: str = Role.MEMBER, ws=None, **user_kwargs):
        user = UserFactory(**user_kwargs)
        MembershipFactory(workspace=ws or workspace, user=user, role=role)
        return user

    return make


@pytest.fixture
def owner(member_of):
    return member_of(Role.OWNER, email="owner@example.com")


@pytest.fixture
def manager(member_of):
    return member_of(Role.MANAGER, email="manager@example.com")


@pytest.fixture
def member(member_of):
    return member_of(Role.MEMBER, email="member@example.com")


@pytest.fixture
def viewer(member_of):
    return member_of(Role.VIEWER, email="viewer@example.com")


@pytest.fixture
def outsider(other_workspace):
    user = UserFactory(email="outsider@example.com")
    MembershipFactory(workspace=other_workspace, user=user, role=Role.OWNER)
    return user


@pytest.fixture
def api() -> Callable[..., APIClient]:
    """api(user) -> an APIClient authenticated with that user's token (None: anonymous)."""

    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


def assert_error_shape(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"detail", "code", "fields"}, body
    assert isinstance(body["detail"], str) and body["detail"]
    if code is not None:
        assert body["code"] == code, body
    return body


# --- A real Celery worker -------------------------------------------------------------------


def spawn_worker(
    log_path: Path, *, queue: str, extra_env: dict[str, str] | None = None, name: str = "test"
) -> subprocess.Popen:
    """Start a real ``celery worker`` process on the configured broker and the test database,
    consuming ``queue``; returns once it is ready."""
    from django.conf import settings
    from django.db import connection

    env = dict(os.environ)
    env.update(
        LINER_DATABASE_NAME=str(connection.settings_dict["NAME"]),
        LINER_DATA_DIR=str(settings.DATA_DIR),
        CELERY_QUEUE=queue,
        **(extra_env or {}),
    )
    log = open(log_path, "w+b")  # noqa: SIM115
    cmd = [
        sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo",
        "--loglevel", "INFO", "--queues", queue, "--without-gossip", "--without-mingle",
        "--without-heartbeat", "--hostname", f"{name}-{os.getpid()}-{time.monotonic_ns()}@%h",
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    proc.log = log  # type: ignore[attr-defined]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        log.seek(0)
        if b"ready." in log.read():
            return proc
        if proc.poll() is not None:
            log.seek(0)
            pytest.fail(f"The Celery worker exited at start:\n{log.read().decode()[-3000:]}")
        time.sleep(0.2)
    proc.kill()
    pytest.fail("The Celery worker did not become ready within 60 s.")


def stop_worker(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    proc.log.close()  # type: ignore[attr-defined]


def worker_log(proc: subprocess.Popen) -> str:
    proc.log.seek(0)  # type: ignore[attr-defined]
    return proc.log.read().decode(errors="replace")  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[dict]:
    """A real ``celery worker`` process on the configured broker and the test database.

    Tests that use it must commit their data (``django_db(transaction=True)``). The worker
    writes emails to a folder so a test can read what it sent.
    """
    from django.conf import settings

    mail_dir = tmp_path_factory.mktemp("worker-mail")
    proc = spawn_worker(
        tmp_path_factory.mktemp("worker-log") / "worker.log",
        queue=settings.CELERY_TASK_DEFAULT_QUEUE,
        extra_env={
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(mail_dir),
        },
    )
    try:
        yield {"process": proc, "mail_dir": mail_dir, "log": proc.log}
    finally:
        stop_worker(proc)


def wait_for(predicate: Callable[[], object], timeout: float = 60, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"Timed out after {timeout:.0f} s waiting for {what}.")
