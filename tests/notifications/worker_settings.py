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
if os.environ.get("TEST_SMTP_PORT"):  # a real SMTP server on loopback (bench/smtp.py)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST, EMAIL_PORT = "127.0.0.1", int(os.environ["TEST_SMTP_PORT"])
    EMAIL_HOST_USER = EMAIL_HOST_PASSWORD = ""
    EMAIL_USE_TLS = EMAIL_USE_SSL = False
TEST_MAIL_DIR = os.environ["TEST_MAIL_DIR"]
REMINDER_RETRY_BACKOFF_SECONDS = 1
