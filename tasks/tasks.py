"""Celery entry points of the tasks app: thin and named (the names are pinned by a test)."""

from __future__ import annotations

from celery import shared_task

from tasks import services


@shared_task(name="tasks.completion_repair")
def completion_repair_task() -> int:
    """Daily, before the reminder scan: recompute any task whose stored completion dates
    drifted from its tracks. Safe to run twice: the second run finds nothing."""
    return services.task_completion_repair()
