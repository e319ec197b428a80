"""The README's commands run as written: every `curl` example against a live server with real
tokens, and the `python manage.py` commands that return, against the same database."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from accounts.models import User
from accounts.services import api_token_create
from notifications.models import Reminder
from tasks.models import TaskTrack

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed"),
]
# Commands that need something the README's reader supplies (a file, a terminal, Docker).
NOT_RUN = ("my-table.xlsx", "createsuperuser", "docker ")


def commands() -> list[str]:
    """Each logical line (continuations joined) of the README's ```sh blocks that runs curl or
    manage.py; variable assignments and comments are left out."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = []
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.DOTALL):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.strip()
            if line.startswith(("curl ", "python manage.py ")) and not any(
                skip in line for skip in NOT_RUN
            ):
                found.append(line)
    return found


def run(line: str, env: dict[str, str]) -> tuple[list[int], str]:
    script = "curl() { command curl --max-time 60 -w '\\n@@%{http_code}@@\\n' \"$@\"; }\n" + line
    result = subprocess.run(
        ["bash", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, f"{line}\n{result.stdout}\n{result.stderr}"
    statuses = [int(s) for s in re.findall(r"@@(\d{3})@@", result.stdout)]
    return statuses, re.sub(r"\n?@@\d{3}@@\n?", "", result.stdout)


@pytest.fixture
def server_env(transactional_db, live_server):
    if connection.vendor != "postgresql":
        pytest.skip("manage.py in a subprocess cannot see the test run's in-memory SQLite")
    from portal.seed import seed

    seed(accounts=True)
    url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + connection.settings_dict["NAME"]
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_ALLOW"))},
        "DATABASE_URL": url,
        "CELERY_BROKER_URL": "",  # tasks run in-process, as on the embedded default
        "REDIS_URL": "",
        "EMAIL_URL": "consolemail://",
        "BASE": live_server.url,
    }


def test_every_curl_and_manage_py_command_in_the_readme_runs(server_env):
    lines = commands()
    curls = [line for line in lines if line.startswith("curl ")]
    manage = [line for line in lines if line.startswith("python ")]
    assert len(curls) >= 15 and len(manage) >= 3
    env = dict(server_env)
    # the README's own shell command issues the token the examples use
    (token_line,) = [line for line in manage if "api_token_create" in line]
    _, out = run(token_line.replace("python ", f"{sys.executable} ", 1), env)
    env["TOKEN"] = out.strip().splitlines()[-1]
    env["H"] = f"Authorization: Token {env['TOKEN']}"
    leader = User.objects.get(username="laichau.lanhdao")
    env["LEADER"] = f"Authorization: Token {api_token_create(user=leader, name='readme')[1]}"
    track = TaskTrack.objects.get(
        task__document__slug="26-ctr-tu", task__ref="STT 5", unit__key="bcsd-ubnd-lai-chau"
    )
    env.update(TASK=str(track.task_id), TRACK=str(track.pk), UNIT=str(track.unit_id))
    env["PROVINCE"] = str(track.unit.province_id or track.unit_id)

    ran = []
    with time_machine.travel(dt.datetime(2026, 12, 2, 9, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))):
        for line in curls:
            statuses, body = run(line, env)
            # "a stale version answers 409"; withdrawing a decided report changes nothing
            expected = 409 if "/return/" in line or "/withdraw/" in line else None
            for status in statuses:
                if expected:
                    assert status == expected, f"{line}\n{status} {body}"
                else:
                    assert status < 400, f"{line}\n{status} {body}"
            if "/tracks/" in line and "-X POST" in line:
                env["REPORT"] = str(json.loads(body)["id"])
            if "/auth/tokens/" in line and "-X POST" in line:
                env["TOKEN_ID"] = str(json.loads(body)["id"])
            ran.append((line, statuses))
    assert all(statuses for _, statuses in ran)
    # the report went the whole way: draft, edited, submitted, approved, reopened
    report = track.reports.get(pk=int(env["REPORT"]))
    assert (report.state, report.percent, report.version) == ("returned", 70, 5)
    assert report.return_reason == "Số liệu chưa khớp"
    # the officer heard of the approval and the reopening, and the README marked both read
    officer = User.objects.get(username="laichau.canbo")
    heard = Reminder.objects.filter(recipient=officer).values_list("kind", "read_at")
    assert sorted(kind for kind, _ in heard) == ["report_approved", "report_reopened"]
    assert all(read_at is not None for _, read_at in heard)

    for line in manage:
        if line is token_line:
            continue
        command = line.split("#", 1)[0].replace("python ", f"{sys.executable} ", 1)
        result = subprocess.run(
            ["bash", "-c", command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, f"{line}\n{result.stdout}\n{result.stderr}"
