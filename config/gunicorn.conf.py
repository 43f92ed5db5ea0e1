"""gunicorn settings for Liner's web server.

``manage.py run_liner`` (``make run``) starts gunicorn with this file and passes the address and
the log destination. In scale mode, start it yourself:
``gunicorn -c config/gunicorn.conf.py --bind 0.0.0.0:8000``. Command-line options and
``GUNICORN_CMD_ARGS`` override anything set here.

Worker model: a few processes with a few threads each (gthread). Most of Liner's requests wait
on something (SQLite, an audio file being streamed, a slow upload, a page polling a job), and
threads let one process serve several of them. A second process keeps pages responsive while
another renders a big report or plot with the GIL held. The embedded SQLite runs in WAL mode
with IMMEDIATE transactions, so readers never wait and writers queue briefly; more processes
than that would only add memory. See the README for the figures behind the defaults.
"""

from __future__ import annotations

import os
from typing import Any

wsgi_app = "config.wsgi:application"
bind = ["127.0.0.1:8000"]

worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("LINER_WEB_THREADS", "4"))

# Load Django once in the master and fork the workers from it (see when_ready below): less
# memory, a worker that answers its first request at once, and an import error that stops the
# server instead of failing worker after worker.
preload_app = True

# A worker restarts, quietly and one at a time, after this many requests: a slow leak in a
# library cannot grow for months on a machine nobody watches.
max_requests = 2000
max_requests_jitter = 200

# The master kills a worker that stops answering its heartbeat for this long. gthread workers
# keep beating while their threads work, so a long upload or download is not cut off.
timeout = 60
# On stop, requests in flight get this long to finish (run_liner waits 15 s in all).
graceful_timeout = 10
keepalive = 5

# Both logs to standard output/error; run_liner sends them to var/logs/web.log.
accesslog = "-"
errorlog = "-"
loglevel = "info"
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'


def when_ready(server: Any) -> None:
    """In the master, before any worker is forked: import every view now. The URL
    configuration pulls in the audio engine (numpy, scipy), which costs seconds; without this
    each worker, and each worker restarted by max_requests, would spend its first request on it.
    Then close any database connection, so no worker inherits one."""
    if not server.cfg.preload_app:
        return
    from django.db import connections
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports the views)
    connections.close_all()
