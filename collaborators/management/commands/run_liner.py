"""Run Liner on one machine: the web server, one Celery worker and the periodic scheduler.

Used by ``make run``: gunicorn (settings in ``config/gunicorn.conf.py``) serves the pages and,
through whitenoise, the static files; DEBUG is off unless ``DJANGO_DEBUG`` says otherwise.
``--dev`` (``make dev``) runs Django's autoreloading development server instead, for people
working on Liner.

This command is the one thing to stop: Ctrl-C, SIGTERM and SIGHUP (a ``kill``, a closed
terminal) all stop the web server and the worker, and nothing they started is left running.
Each child runs in a session of its own so that only this command decides when it stops, and
on Linux the kernel stops them too if this command is killed outright. In scale mode run the
pieces separately instead (gunicorn, ``celery -A config worker``, ``celery -A config beat``):
see the README.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import runpy
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

GUNICORN_CONF = Path(settings.BASE_DIR) / "config" / "gunicorn.conf.py"
STOP_SECONDS = 15  # gunicorn's graceful_timeout (10 s) fits inside
Cmd = list[str]
Procs = dict[str, "subprocess.Popen[bytes]"]


class Command(BaseCommand):
    help = (
        "Run Liner's web server (gunicorn), one worker and the scheduler together on this "
        "machine (embedded mode). Ctrl-C stops them all."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--addr", default="127.0.0.1:8000", help="host:port to serve on (127.0.0.1:8000)."
        )
        parser.add_argument(
            "--concurrency", type=int, default=1, help="Audio jobs the worker runs at once (1)."
        )
        parser.add_argument(
            "--web-workers",
            type=int,
            help="Web server processes (default: WEB_CONCURRENCY, else 2).",
        )
        parser.add_argument(
            "--web-threads",
            type=int,
            help="Threads in each web server process (default: LINER_WEB_THREADS, else 4).",
        )
        parser.add_argument(
            "--dev",
            action="store_true",
            help="Django's development server (reloads on code changes, DEBUG on) instead of "
            "gunicorn: for working on Liner, not for using it.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for signum in (signal.SIGTERM, signal.SIGHUP):
            if signal.getsignal(signum) != signal.SIG_IGN:  # under nohup, a hang-up stays ignored
                signal.signal(signum, _interrupt)
        host, port = _split_addr(options["addr"])
        env = dict(os.environ)
        if not options["dev"]:
            # The embedded default is DEBUG on, which suits a development checkout; a server
            # left running for months shows no tracebacks and keeps no query log.
            env.setdefault("DJANGO_DEBUG", "false")
            if not settings.WHITENOISE_USE_FINDERS:
                # Production settings serve hashed, compressed copies from STATIC_ROOT.
                self.stdout.write("Collecting static files (production settings) …")
                call_command("collectstatic", "--noinput", verbosity=0)

        log_dir = Path(settings.DATA_DIR) / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        web_log_path = log_dir / "web.log"
        worker_log_path = log_dir / "worker.log"
        if options["dev"]:
            web_cmd = [sys.executable, "manage.py", "runserver", f"{host}:{port}"]
            what = "Django's development server (reloads on code changes)"
        else:
            web_cmd, what = _gunicorn(host, port, options["web_workers"], options["web_threads"])
            self.stdout.write(f"Web log:    {web_log_path}")
        self.stdout.write(f"Worker log: {worker_log_path}")

        procs: Procs = {}
        logs = {"worker": worker_log_path}
        ended_by_itself = ""
        with contextlib.ExitStack() as stack:
            worker_log = stack.enter_context(open(worker_log_path, "ab"))
            web_out: IO[bytes] | None = None  # the dev server talks to the terminal
            if not options["dev"]:
                web_out = stack.enter_context(open(web_log_path, "ab"))
                logs["web server"] = web_log_path
            try:
                procs["worker"] = _start(_worker_cmd(options["concurrency"]), env, worker_log)
                procs["web server"] = _start(web_cmd, env, web_out)
                if _wait_until_serving(host, port, procs):
                    self.stdout.write(
                        self.style.SUCCESS(f"Liner is ready on http://{_shown(host)}:{port}/")
                        + f"  ({what}; Ctrl-C stops it)"
                    )
                while not ended_by_itself:
                    time.sleep(0.5)
                    ended_by_itself = _first_ended(procs)
            except KeyboardInterrupt:
                pass
            finally:
                _stop(procs)
        if ended_by_itself:
            code = procs[ended_by_itself].returncode
            self.stderr.write(f"The {ended_by_itself} stopped by itself (exit code {code}).")
            if ended_by_itself in logs:
                path = logs[ended_by_itself]
                self.stderr.write(f"The end of {path}:\n{_tail(path)}")
            raise CommandError("Liner stopped: one of its parts did.")
        self.stdout.write("Liner stopped.")


def _interrupt(signum: int, frame: object) -> None:
    """Stop as Ctrl-C does, so the children are stopped too."""
    raise KeyboardInterrupt


def _worker_cmd(concurrency: int) -> Cmd:
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "--beat",
        "--loglevel",
        "INFO",
        "--concurrency",
        str(concurrency),
        "--queues",
        settings.CELERY_TASK_DEFAULT_QUEUE,
        "--schedule",
        str(settings.CELERY_BEAT_SCHEDULE_FILENAME),
    ]


def _gunicorn(host: str, port: int, workers: int | None, threads: int | None) -> tuple[Cmd, str]:
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    # No control socket: this command supervises gunicorn, and the default socket in $HOME
    # would clash between two Liners on one machine.
    cmd = [sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONF), "--bind", bind]
    cmd.append("--no-control-socket")
    conf = runpy.run_path(str(GUNICORN_CONF))
    if workers is not None:
        cmd += ["--workers", str(workers)]
    if threads is not None:
        cmd += ["--threads", str(threads)]
    workers = workers if workers is not None else conf["workers"]
    threads = threads if threads is not None else conf["threads"]
    return cmd, f"gunicorn, {workers} processes × {threads} threads"


def _start(cmd: Cmd, env: dict[str, str], out: IO[bytes] | None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        cmd,
        cwd=settings.BASE_DIR,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT if out is not None else None,
        # Out of the terminal's reach: Ctrl-C or a hang-up reaches this command only, which
        # then stops each child in order and cleans up after it.
        start_new_session=True,
        preexec_fn=_die_with_parent(os.getpid()),
    )


def _die_with_parent(parent: int) -> Callable[[], None] | None:
    """In the child before it starts: ask Linux for a SIGTERM should this command die without
    stopping it (kill -9, the OOM killer). Elsewhere a no-op."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    pr_set_pdeathsig = 1

    def preexec() -> None:
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
        if os.getppid() != parent:  # died before the request was in place
            os._exit(1)

    return preexec


def _stop(procs: Procs) -> None:
    """SIGTERM to each child (gunicorn and Celery then stop their own processes), a deadline,
    then SIGKILL to whatever is left of each child's session."""
    for p in procs.values():
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_SECONDS
    for p in procs.values():
        with contextlib.suppress(subprocess.TimeoutExpired):
            p.wait(timeout=max(0.1, deadline - time.monotonic()))
    for p in procs.values():
        # The session's id is the child's pid; it outlives the child while any process it
        # started is still there (the dev server's reloaded child, a stuck pool process).
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(p.pid, signal.SIGKILL)
        p.wait()


def _first_ended(procs: Procs) -> str:
    return next((name for name, p in procs.items() if p.poll() is not None), "")


def _split_addr(addr: str) -> tuple[str, int]:
    host, _, port = addr.rpartition(":")
    if not port.isdigit():
        raise CommandError(f"--addr {addr!r} is not host:port (for example 127.0.0.1:8000).")
    return (host.strip("[]") or "127.0.0.1"), int(port)


def _shown(host: str) -> str:
    if host in ("0.0.0.0", "::"):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def _wait_until_serving(host: str, port: int, procs: Procs) -> bool:
    """True once the web server answers a request (whatever the answer: the port opens before
    gunicorn's workers are up), False if a child ends first."""
    target = "127.0.0.1" if host == "0.0.0.0" else ("::1" if host == "::" else host)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not _first_ended(procs):
        conn = http.client.HTTPConnection(target, port, timeout=30)
        try:
            conn.request("GET", "/healthz")
            conn.getresponse()
            return True
        except (OSError, http.client.HTTPException):
            time.sleep(0.3)
        finally:
            conn.close()
    return False


def _tail(path: Path, lines: int = 15) -> str:
    with open(path, "rb") as f:
        f.seek(0, os.SEEK_END)
        f.seek(max(0, f.tell() - 8192))
        return b"\n".join(f.read().splitlines()[-lines:]).decode(errors="replace")
