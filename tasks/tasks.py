"""Celery entry points of the tasks app: thin and named (the names are pinned by a test)."""

from __future__ import annotations

from celery import shared_task

from tasks import services


@shared_task(name="tasks.completion_repair")
def completion_repair_task() -> int:
    """Daily, before the reminder scan: recompute any task whose stored completion dates
    drifted from its tracks. Safe to run twice: the second run finds nothing."""
    return services.task_completion_repair()


@shared_task(name="tasks.open_due_repair")
def open_due_repair_task() -> int:
    """Daily, after the completion repair and before the reminder scan: recompute every
    task's stored open due date (and what goes with it) from the status rule, fixing drift
    and the yearly duties that start afresh on 1 January. Safe to run twice."""
    return services.open_due_repair()


@shared_task(name="tasks.import_table")
def import_table_task(batch_id: int) -> None:
    """Publish a large checked table in chunks (``tasks.importer.table_import_run``). Safe
    to run twice: it resumes after the last committed chunk and stops once the batch is done."""
    from tasks.importer import table_import_run

    table_import_run(batch_id=batch_id)
