"""gunicorn settings; a city that outgrows one machine adds workers or machines, not code."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# The master imports the application and warms it (dxtracker.warmup) once; workers fork with
# it done, so none answers its first request 1-2 s late, and a restarted worker is ready at
# once. A new release needs a restart of gunicorn itself: HUP restarts workers from the
# master's already loaded code.
preload_app = True
