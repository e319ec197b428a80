"""E-mail backends for the tests, configured through settings (EMAIL_BACKEND, TEST_MAIL_DIR).

They record each message as one JSON line in TEST_MAIL_DIR/mail.jsonl, so a worker process
and the test can both see what was delivered."""

from __future__ import annotations

import json
import os
import smtplib
import time
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend


def _dir() -> Path:
    return Path(getattr(settings, "TEST_MAIL_DIR", "") or os.environ["TEST_MAIL_DIR"])


def delivered(directory: str | Path) -> list[dict]:
    log = Path(directory) / "mail.jsonl"
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


class RecordingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):  # type: ignore[no-untyped-def]
        with open(_dir() / "mail.jsonl", "a", encoding="utf-8") as log:
            for message in email_messages:
                record = {
                    "to": message.to,
                    "subject": message.subject,
                    "key": message.extra_headers.get("X-Portal-Reminder", ""),
                    "pid": os.getpid(),
                }
                log.write(json.dumps(record, ensure_ascii=False) + "\n")
                log.flush()
        return len(email_messages)


class FailOnceBackend(RecordingBackend):
    """Drops the connection on the first message it is asked to send, then delivers."""

    def send_messages(self, email_messages):  # type: ignore[no-untyped-def]
        marker = _dir() / "failed-once"
        try:
            marker.touch(exist_ok=False)
        except FileExistsError:
            return super().send_messages(email_messages)
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed (test)")


class AlwaysFailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):  # type: ignore[no-untyped-def]
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed (test)")


class HangOnceBackend(RecordingBackend):
    """Hangs the first time (writing its pid) so a test can kill the worker mid-send."""

    def send_messages(self, email_messages):  # type: ignore[no-untyped-def]
        marker = _dir() / "hung-once"
        try:
            marker.touch(exist_ok=False)
        except FileExistsError:
            return super().send_messages(email_messages)
        (_dir() / "hung.pid").write_text(str(os.getpid()))
        time.sleep(120)
        return super().send_messages(email_messages)
