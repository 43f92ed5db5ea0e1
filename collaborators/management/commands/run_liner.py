"""Start the web server and one Celery worker (with the periodic scheduler) together.

Used by ``make run``. Ctrl-C stops both, and so do SIGTERM and SIGHUP (a ``kill``, a closed
terminal): without them the worker would outlive this process. In scale mode run them
separately instead (gunicorn, ``celery -A config worker``, ``celery -A config beat``): see the
README.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run Liner's web server and one worker together (embedded mode). Ctrl-C stops both."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--addr", default="127.0.0.1:8000")
        parser.add_argument("--concurrency", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        for signum in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, _interrupt)
        python = sys.executable
        log_dir = settings.DATA_DIR / "logs"
        worker_cmd = [
            python,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--beat",
            "--loglevel",
            "INFO",
            "--concurrency",
            str(options["concurrency"]),
            "--queues",
            settings.CELERY_TASK_DEFAULT_QUEUE,
            "--schedule",
            str(settings.CELERY_BEAT_SCHEDULE_FILENAME),
        ]
        web_cmd = [python, "manage.py", "runserver", options["addr"]]
        self.stdout.write(f"Worker log: {log_dir / 'worker.log'}")
        with open(log_dir / "worker.log", "ab") as worker_log:
            worker = subprocess.Popen(worker_cmd, stdout=worker_log, stderr=subprocess.STDOUT)
            web = subprocess.Popen(web_cmd)
            procs = [web, worker]
            try:
                while all(p.poll() is None for p in procs):
                    time.sleep(0.5)
            except KeyboardInterrupt:
                pass
            finally:
                for p in procs:
                    if p.poll() is None:
                        p.send_signal(signal.SIGTERM)
                deadline = time.monotonic() + 15
                for p in procs:
                    try:
                        p.wait(timeout=max(0.1, deadline - time.monotonic()))
                    except subprocess.TimeoutExpired:
                        p.kill()
        self.stdout.write("Liner stopped.")


def _interrupt(signum: int, frame: object) -> None:
    """Stop as Ctrl-C does, so both children are stopped too."""
    raise KeyboardInterrupt
