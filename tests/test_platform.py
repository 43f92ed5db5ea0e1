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


def _descendants(pid):
    """Every process below pid (gunicorn's workers, Celery's pool and beat, ...)."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError), open(f"/proc/{entry}/stat") as f:
                parents[int(entry)] = int(f.read().rsplit(") ", 1)[1].split()[1])
    found, frontier = [], [pid]
    while frontier:
        frontier = [child for child, parent in parents.items() if parent in frontier]
        found += frontier
    return found


def _cmdline(pid):
    with contextlib.suppress(OSError), open(f"/proc/{pid}/cmdline", "rb") as f:
        return f.read().replace(b"\0", b" ").decode()
    return ""


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False


def _get(url):
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


@pytest.mark.parametrize("how", ["ctrl-c", "sigterm", "sighup"])
def test_run_liner_stops_the_web_server_and_the_worker_together(tmp_path, how):
    """`make run`'s last step serves the app through gunicorn (static files too, and no debug
    pages), and Ctrl-C in the terminal (SIGINT to the whole process group), a SIGTERM or a
    SIGHUP (a closed terminal) to the command stops everything it started: the worker never
    outlives it, nor does any gunicorn or Celery process."""
    import re
    import signal
    import socket
    import time

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    env = {k: v for k, v in env.items() if not k.startswith(("DJANGO_DEBUG", "GUNICORN", "WEB_"))}
    env["LINER_DATA_DIR"] = str(tmp_path)  # its own SQLite file and filesystem broker
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "run_liner", "--addr", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # a process group of its own, as in a terminal
    )
    try:
        deadline = time.monotonic() + 120
        ready = False
        while time.monotonic() < deadline and proc.poll() is None and not ready:
            time.sleep(0.5)
            log = tmp_path / "logs" / "worker.log"
            with contextlib.suppress(OSError):
                ready = b"ready" in log.read_bytes() and bool(_get(f"{base}/healthz"))
        assert ready, "the web server and the worker should both start"

        status, headers, page = _get(f"{base}/accounts/login/")
        assert status == 200 and headers["Server"] == "gunicorn"
        css = re.search(rb'href="(/static/[^"]+\.css)"', page).group(1).decode()
        status, headers, body = _get(base + css)
        assert status == 200 and headers["Content-Type"].startswith("text/css")
        assert body == (ROOT / css.removeprefix("/")).read_bytes()
        # Files that ship inside packages: plotly.js (config/staticfinders.py), Swagger UI.
        sidecar = "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css"
        for path in ("vendor/plotly.min.js", sidecar):
            status, _, body = _get(f"{base}/static/{path}")
            assert status == 200 and len(body) > 1000, path
        status, _, body = _get(f"{base}/no-such-page/")
        assert status == 404 and b"URLconf" not in body  # Liner's page, not Django's debug page

        everything = _descendants(proc.pid)
        gunicorn = [p for p in everything if "gunicorn" in _cmdline(p)]
        assert len(gunicorn) >= 3, "gunicorn's master and its two workers"
        assert any("celery" in _cmdline(p) for p in everything)
        if how == "ctrl-c":
            os.killpg(proc.pid, signal.SIGINT)
        else:
            proc.send_signal(signal.SIGTERM if how == "sigterm" else signal.SIGHUP)
        assert proc.wait(timeout=30) == 0
        deadline = time.monotonic() + 10
        while any(_alive(p) for p in everything) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [_cmdline(p) for p in everything if _alive(p)]
        assert b"Booting worker" in (tmp_path / "logs" / "web.log").read_bytes()
    finally:  # whatever happened, leave nothing running
        for pid in [proc.pid, *_descendants(proc.pid)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        proc.wait()


def test_an_embedded_install_makes_its_own_secret_key_once(tmp_path):
    """No key in the code: each install's data folder gets its own, kept across restarts."""
    from config.settings import _embedded_secret_key

    first = _embedded_secret_key(tmp_path)
    assert len(first) >= 50 and _embedded_secret_key(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0  # its owner's only
    other = tmp_path / "other"
    other.mkdir()
    assert _embedded_secret_key(other) != first
