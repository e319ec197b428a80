"""Settings for the Celery worker that the worker tests start as a separate process: the
project's settings, pointed at the test database, a test queue and a test mail backend."""

import os

from portal.settings import *  # noqa: F403
from portal.settings import DATABASES

DATABASES["default"]["NAME"] = os.environ["TEST_DATABASE_NAME"]
CELERY_BROKER_URL = os.environ["CELERY_BROKER_URL"]
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_DEFAULT_QUEUE = os.environ["TEST_CELERY_QUEUE"]
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {}
EMAIL_BACKEND = os.environ["TEST_EMAIL_BACKEND"]
TEST_MAIL_DIR = os.environ["TEST_MAIL_DIR"]
REMINDER_RETRY_BACKOFF_SECONDS = 1
