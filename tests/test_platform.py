"""Health, the OpenAPI schema, production settings, `make run`'s process handling."""

import contextlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


def test_healthz_ok(client, db):
    r = client.get("/healthz")
    assert r.status_code == 200
    body = r.json()
    assert body["database"]["ok"] and body["broker"]["ok"] and body["status"] == "ok"


@pytest.mark.parametrize(
    "url, options",
    [
        ("redis://127.0.0.1:1/0", {}),  # nothing listens on port 1
        ("amqp://guest:guest@127.0.0.1:1//", {}),
        ("filesystem://", {"data_folder_out": "/nonexistent/broker"}),
    ],
)
def test_healthz_503_when_broker_is_down(client, db, settings, url, options):
    settings.CELERY_BROKER_URL = url
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = options
    r = client.get("/healthz")
    assert r.status_code == 503
    assert r.json()["broker"]["ok"] is False and r.json()["database"]["ok"] is True


def test_healthz_503_when_database_is_down(client, db, settings):
    from django.db import connections

    conn = connections["default"]
    saved = dict(conn.settings_dict)
    conn.close()
    if conn.vendor == "sqlite":
        conn.settings_dict["NAME"] = "/nonexistent-dir/liner.sqlite3"
    else:
        conn.settings_dict["PORT"] = "1"
    try:
        r = client.get("/healthz")
    finally:
        conn.close()
        conn.settings_dict.update(saved)
    assert r.status_code == 503
    assert r.json()["database"]["ok"] is False


def test_schema_builds_without_warnings(tmp_path):
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    for path in ("/api/auth/token/", "/api/workspaces/{workspace_slug}/people/", "Error"):
        assert path in text


def test_docs_pages_serve_local_assets(client, db):
    r = client.get("/api/docs/")
    assert r.status_code == 200
    assert b"cdn" not in r.content.lower()
    assert b"/static/drf_spectacular_sidecar/" in r.content


def _manage(*args, env_extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


PROD = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": "k7#Pq!x9Zr2mWv$Lt8Ny4Bc6Hd0Fg3Js5Ue1Oa-Ri+Tk=Yw%Qe^Mz&Xp*Cs(Dn)Vb",
    "DJANGO_ALLOWED_HOSTS": "liner.example.com",
}


def test_check_deploy_is_clean_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env_extra=PROD)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_its_secrets(missing):
    env = {k: v for k, v in PROD.items() if k != missing}
    result = _manage("check", env_extra=env)
    assert result.returncode != 0
    assert f"{missing} is not set" in result.stderr


def _children(pid):
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        return [int(p) for p in f.read().split()]


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_run_liner_stops_the_web_server_and_the_worker_together(tmp_path, how):
    """`make run`'s last step: Ctrl-C in the terminal (SIGINT to the whole process group) or a
    plain SIGTERM to the command stops both children; the worker never outlives it."""
    import signal
    import socket
    import time

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    env["LINER_DATA_DIR"] = str(tmp_path)  # its own SQLite file and filesystem broker
    (tmp_path / "logs").mkdir()
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "run_liner", "--addr", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # a process group of its own, as in a terminal
    )
    try:
        deadline = time.monotonic() + 60
        children = []
        while time.monotonic() < deadline:
            children = _children(proc.pid)
            log = tmp_path / "logs" / "worker.log"
            if len(children) == 2 and log.exists() and b"ready" in log.read_bytes():
                break
            time.sleep(0.5)
        assert len(children) == 2, "the web server and the worker should both start"
        if how == "ctrl-c":
            os.killpg(proc.pid, signal.SIGINT)
        else:
            proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
        deadline = time.monotonic() + 10
        while any(_alive(c) for c in children) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(_alive(c) for c in children)
    finally:  # whatever happened, leave nothing running
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
