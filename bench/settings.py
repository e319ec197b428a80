"""Settings of the bench's web server and Celery worker: the portal's own, plus a URLconf
that mounts the plain DRF peer (``bench.peer``) and a queue of the run's own. Only
``bench.run`` selects it (``DJANGO_SETTINGS_MODULE``); production never serves the peer."""

import os

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
# A queue of the run's own (``bench.run`` sets it), so two runs sharing a Redis database
# (CI and a developer, two worktrees) never take or delete each other's messages.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("BENCH_CELERY_QUEUE", "celery")
