"""An import (tasks.bulk_upsert) sets and moves the stored open due date (its own module:
the province fixture cannot share a module with the seed)."""

from __future__ import annotations

import datetime as dt

import pytest

from tasks.choices import AssignmentRole
from tasks.models import Task

pytestmark = pytest.mark.django_db


def test_an_import_sets_and_moves_the_open_due_date(province_doc):
    from tasks.importer import import_rows, read_table
    from tests.tasks.test_importer import HEADER

    def imported(deadline: str) -> Task:
        text = f"{HEADER}\n1\tTổ chức quán triệt\tBan Tuyên giáo Tỉnh ủy\t\t{deadline}\n"
        report = import_rows(province_doc, read_table(text.encode(), name="t.tsv"))
        assert report.ok, report.errors
        return Task.objects.get(document=province_doc, ref="STT 1")

    # a new task from a table gets its open due date and its lead row's copy
    task = imported("Quý II năm 2023")
    assert task.open_due_on == dt.date(2023, 6, 30) and task.has_lead
    lead = task.assignments.get(role=AssignmentRole.LEAD)
    assert lead.open_due_on == task.open_due_on
    # a re-import with another deadline (the same lead and track) moves it
    task = imported("Quý IV năm 2023")
    lead.refresh_from_db()
    assert task.open_due_on == lead.open_due_on == dt.date(2023, 12, 31)
