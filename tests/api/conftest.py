"""Clients for the demo accounts (signed in through the session, as the browser is)."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from tasks.models import Task, TaskTrack

DEMO_USERS = ("admin", "bkhdt.canbo", "laichau.canbo", "laichau.lanhdao", "bktw.rasoat")


@pytest.fixture
def api(seeded):  # type: ignore[no-untyped-def]
    """``api("laichau.canbo")`` is an APIClient signed in as that demo user."""

    def make(username: str | None = None) -> APIClient:
        client = APIClient()
        if username is not None:
            client.force_login(User.objects.get(username=username))
        return client

    return make


def lai_chau_track() -> TaskTrack:
    """Lai Châu's provincial people's committee share of row 5 of its programme."""
    return TaskTrack.objects.get(
        task__document__slug="26-ctr-tu", task__ref="STT 5", unit__key="bcsd-ubnd-lai-chau"
    )


def bac_kan_track() -> TaskTrack:
    return TaskTrack.objects.get(
        task__document__slug="kh-72-kl-tw-bac-kan", task__ref="IV.2", unit__key="bcsd-ubnd-bac-kan"
    )


def bac_kan_task() -> Task:
    return bac_kan_track().task


TODAY = dt.date(2026, 11, 22)
