"""gunicorn settings for the image and `make prod-smoke`; each value can be overridden by
the environment (GUNICORN_BIND, WEB_CONCURRENCY, GUNICORN_TIMEOUT)."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
# Longer than the slowest page (the national summary), shorter than the proxy's patience.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# A worker is replaced after this many requests, so a slow leak cannot grow without bound.
max_requests = 1000
max_requests_jitter = 100
accesslog = "-"
# One JSON object per request, with the id Caddy gave it (also in Django's own log records).
access_log_format = (
    '{"logger": "gunicorn.access", "remote": "%(h)s", "request": "%(r)s", "status": %(s)s, '
    '"bytes": "%(b)s", "duration_ms": %(M)s, "request_id": "%({x-request-id}i)s"}'
)
# Only the proxy talks to gunicorn; Django reads X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "*")
# The heartbeat file; in a container set it to a memory-backed directory such as /dev/shm.
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR") or None
