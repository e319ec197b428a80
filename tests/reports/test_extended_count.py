"""Reports count the tasks judged on an extension approved in time (được gia hạn), beside
the 2x2 grid: in the counts, the page/DOCX/PDF blocks and the summary's XLSX."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from accounts.choices import Role
from reports.content import Para, Table, periodic_document, summary_document
from reports.layout import Signer
from reports.periods import PeriodKind, ReportPeriod
from reports.selectors import EXTENDED_LABEL, periodic_report, summary
from reports.xlsx import summary_xlsx
from tasks.extensions import extension_approve, extension_request
from tasks.status import Status
from tests.factories import DocumentFactory, UnitFactory, UserFactory, make_task

pytestmark = pytest.mark.django_db
Q3 = ReportPeriod(2024, PeriodKind.Q3)


def test_extended_tasks_are_counted_beside_the_grid(time_machine):
    issuer, lead = UnitFactory(), UnitFactory(name="Bộ thử gia hạn")
    boss = UserFactory(roles=[(issuer, Role.LEADER)])
    officer = UserFactory(roles=[(lead, Role.OFFICER)])
    document = DocumentFactory(issuer=issuer)
    extended = make_task(document, "1", leads=[lead], deadline="Hoàn thành trong quý II năm 2024")
    late = make_task(document, "2", leads=[lead], deadline="Hoàn thành trong quý II năm 2024")
    make_task(document, "3", leads=[lead], deadline="Hoàn thành trong quý II năm 2024")
    for task, asked in ((extended, dt.date(2024, 6, 1)), (late, dt.date(2024, 7, 2))):
        time_machine.move_to(dt.datetime(asked.year, asked.month, asked.day, 3, tzinfo=dt.UTC))
        request = extension_request(
            task=task,
            user=officer,
            unit=lead,
            reason="Lý do",
            proposed_due_on=dt.date(2024, 12, 31),
        )
        extension_approve(extension_id=request.pk, user=boss, today=asked)
    report = periodic_report(lead, Q3, today=dt.date(2024, 10, 1))
    assert report.grid.extended == 1  # only the one approved before its due date passed
    assert report.grid.get(Status.OVERDUE) == 2 and report.grid.get(Status.NOT_DUE) == 1
    document_blocks = periodic_document(
        report, signer=Signer(title="Bộ trưởng", name="Người ký"), reviewers=[]
    ).blocks
    texts = " ".join(b.text for b in document_blocks if isinstance(b, Para))
    assert f"{EXTENDED_LABEL}: 1 nhiệm vụ" in texts
    table = next(b for b in document_blocks if isinstance(b, Table) and b.headers[0] == "Đơn vị")
    assert table.headers[-1] == EXTENDED_LABEL and table.rows[0][-1] == "1"
    data = summary(Q3, today=dt.date(2024, 10, 1))
    assert data.total.extended == 1
    assert sum(row.grid.extended for row in data.by_document) == 1
    summary_blocks = summary_document(
        data, reviewer=None, signer=Signer(title="Trưởng ban", name="Người ký"), reviewers=[]
    ).blocks
    assert any(isinstance(b, Para) and f"{EXTENDED_LABEL}: 1" in b.text for b in summary_blocks)
    sheet = load_workbook(io.BytesIO(summary_xlsx(data)))["Theo văn bản"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][-1] == EXTENDED_LABEL and rows[1][-1] == 1
