"""Container health checks, `python deploy/healthcheck.py [web|broker]`.

web: liveness of gunicorn (the process answers and reaches the database), never the full
status page, so a stopped worker does not mark the web service unhealthy.
broker: the Celery broker answers (beat: its process is the container's, so alive).
"""

import os
import sys
import urllib.request


def web() -> bool:
    host = os.environ.get("ALLOWED_HOSTS", "localhost").split(",")[0].strip(" .") or "localhost"
    port = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000").rsplit(":", 1)[-1]
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/healthz",
        headers={"Host": host, "X-Forwarded-Proto": "https"},
    )
    with urllib.request.urlopen(request, timeout=4) as response:  # noqa: S310
        return response.status == 200


def broker() -> bool:
    import redis

    url = os.environ.get("CELERY_BROKER_URL") or os.environ["REDIS_URL"]
    return bool(redis.Redis.from_url(url, socket_timeout=4).ping())


if __name__ == "__main__":
    check = {"web": web, "broker": broker}[sys.argv[1] if len(sys.argv) > 1 else "web"]
    try:
        sys.exit(0 if check() else 1)
    except Exception as exc:
        print(exc, file=sys.stderr)
        sys.exit(1)
