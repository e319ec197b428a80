"""The seed loader against the five source texts (counts and a sample of fields)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command

from accounts.models import Unit, User
from documents.models import Document
from documents.selectors import document_chain, document_get_by_reference
from indicators.models import Indicator
from portal.seed import DEMO_ACCOUNTS, DEMO_PASSWORD
from tasks.models import Task, TaskTrack

pytestmark = pytest.mark.django_db


def tasks_of(slug):
    return {t.ref: t for t in Task.objects.filter(document__slug=slug)}


def test_counts_per_document(seeded):
    assert Document.objects.count() == 15
    # 37-NQ/TW, 26-KL/TW, 11-NQ/TW, 96/NQ-CP, 13-NQ/TW, 72-KL/TW, 07-CTr/TU, 1288/QĐ-TTg, the
    # regional plan: cited, not in the portal as text.
    assert Document.objects.filter(is_stub=True).count() == 9
    counts = seeded.tasks_per_document
    assert counts["kh-11-nq-tw"] == 10  # 9 tasks of section II + the monitoring duty (III)
    assert counts["26-ctr-tu"] == 19  # 10 table rows + 5 projects under row 6 + 4 duties (IV)
    assert counts["kh-26-kl-tw"] == 40
    assert counts["kh-72-kl-tw-bac-kan"] == 24
    assert counts["kh-quy-hoach-vung-tdmnpb"] == 4
    assert seeded.indicators_per_document["kh-26-kl-tw"] == 12
    assert seeded.indicators_per_document["26-ctr-tu"] == 24


def test_politburo_plan_tasks_as_printed(seeded):
    tasks = tasks_of("kh-11-nq-tw")
    first = tasks["II.1"]
    assert first.due_on == dt.date(2022, 4, 30)
    assert first.deadline_text == "Hoàn thành trong tháng 4 năm 2022"
    assert [a.unit.name for a in first.assignments.filter(role="lead")] == [
        "Văn phòng Trung ương Đảng"
    ]
    assert [a.unit.name for a in first.assignments.filter(role="coordinate")] == [
        "Ban Kinh tế Trung ương"
    ]
    assert tasks["II.2"].due_on == dt.date(2022, 6, 30)
    assert tasks["II.3"].due_on == dt.date(2023, 9, 30)
    assert tasks["II.5"].due_on == dt.date(2022, 12, 31)
    # Item 4 has two lead units.
    assert tasks["II.4"].assignments.filter(role="lead").count() == 2
    # Item 7: the 14 provincial party committees each report their own share.
    tracks = TaskTrack.objects.filter(task=tasks["II.7"]).select_related("unit")
    assert tracks.count() == 14
    assert "Tỉnh ủy Lai Châu" in {t.unit.name for t in tracks}
    assert tasks["III.3"].deadline_kind == "recurring"


def test_lai_chau_programme_table(seeded):
    tasks = tasks_of("26-ctr-tu")
    row6 = tasks["STT 6"]
    assert [c.ref for c in row6.children.order_by("position")] == [
        "STT 6.1",
        "STT 6.2",
        "STT 6.3",
        "STT 6.4",
        "STT 6.5",
    ]
    assert (
        tasks["STT 6.1"].title == "Dự án Đường nối thành phố Lai Châu với cao tốc Nội Bài - Lào Cai"
    )
    assert (tasks["STT 6.1"].starts_on, tasks["STT 6.1"].due_on) == (
        dt.date(2022, 1, 1),
        dt.date(2025, 12, 31),
    )
    assert tasks["STT 1"].due_on == dt.date(2022, 12, 31)
    assert tasks["STT 2"].due_on == dt.date(2023, 3, 31)
    assert (tasks["STT 3"].deadline_kind, tasks["STT 3"].recurrence) == ("recurring", "yearly")
    assert tasks["STT 4"].deadline_kind == "event" and tasks["STT 4"].due_on is None
    assert tasks["STT 10"].deadline_text == "Hằng năm và theo quy định"
    # "Ban cán sự đảng UBND tỉnh" in Lai Châu's programme is Lai Châu's.
    lead = tasks["STT 5"].assignments.get(role="lead")
    assert lead.unit.key == "bcsd-ubnd-lai-chau"
    assert lead.printed_name == "Ban cán sự đảng UBND tỉnh"
    # From a Lai Châu task up to the central task it serves.
    assert tasks["STT 5"].implements == tasks_of("kh-11-nq-tw")["II.3"]


def test_every_printed_deadline_parses(seeded):
    unreadable = Task.objects.exclude(deadline_text="").filter(deadline_kind="unknown")
    assert list(unreadable.values_list("deadline_text", flat=True)) == []


def test_unassigned_plan_of_seed_002(seeded):
    tasks = tasks_of("kh-quy-hoach-vung-tdmnpb")
    assert all(not t.assignments.exists() for t in tasks.values())


def test_document_numbers_and_chain(seeded):
    ctr = document_get_by_reference("26-CTr/TU")
    assert ctr.issued_on == dt.date(2022, 12, 28)
    assert ctr.signer == "Lê Văn Lương"
    assert ctr.province.name == "Tỉnh Lai Châu"
    assert document_get_by_reference("1580/QD-TTg").issued_on == dt.date(2014, 9, 6)
    assert document_get_by_reference("09/2019/NĐ-CP") is None
    above, below = document_chain(ctr)
    numbers_above = {d.number for d in above}
    assert {"11-NQ/TW", "96/NQ-CP", "37-NQ/TW"} <= numbers_above
    resolution = document_get_by_reference("11-NQ/TW")
    assert resolution.is_stub
    _, below = document_chain(resolution)
    assert {"26-CTr/TU", "96/NQ-CP"} <= {d.number for d in below}
    assert "kh-11-nq-tw" in {d.slug for d in below}
    attached = Document.objects.get(slug="kh-26-kl-tw")
    assert attached.relations_out.filter(kind="attached_to", target__number="1580/QĐ-TTg").exists()


def test_indicators_as_printed(seeded):
    growth = Indicator.objects.get(code="CTR26-01")
    assert (growth.target_kind, growth.comparator) == ("yearly_rate", "range")
    assert (growth.target_low, growth.target_high) == (Decimal(9), Decimal(11))
    grdp = Indicator.objects.get(code="CTR26-02")
    assert (grdp.target_kind, grdp.comparator, grdp.target_low) == ("level", "approx", 63600)
    assert grdp.unit_of_measure == "tỷ đồng"
    beds = Indicator.objects.get(code__startswith="CTR26", name__icontains="giường bệnh")
    assert (beds.comparator, beds.target_low, beds.target_high) == ("more_than", 40, None)
    structure = Indicator.objects.get(code="CTR26-03")
    assert structure.target_kind == "structure"
    assert sum(Decimal(s["value"]) for s in structure.shares) == Decimal(100)
    gdp = Indicator.objects.get(code="KL26-01")
    assert (gdp.target_kind, gdp.target_low, gdp.target_high) == ("yearly_rate", Decimal("7.5"), 8)
    assert gdp.scope.key == "vung-tdmnbb" and gdp.target_year == 2020
    poverty = Indicator.objects.get(code="CTR26-14")
    assert poverty.target_kind == "yearly_decrease"


def test_region_succession_and_demo_accounts(seeded):
    region = Unit.objects.get(key="vung-tdmnbb")
    assert region.members.count() == 14
    bac_kan = Unit.objects.get(name="Tỉnh Bắc Kạn")
    (succession,) = bac_kan.successions.all()
    assert succession.successor.name == "Tỉnh Thái Nguyên"
    assert succession.effective_on == dt.date(2025, 7, 1)
    assert succession.basis == "Nghị quyết số 202/2025/QH15"
    for spec in DEMO_ACCOUNTS:
        user = User.objects.get(username=spec["username"])
        assert user.check_password(DEMO_PASSWORD)
        # every demo account sits at a unit that exists today
        for membership in user.memberships.select_related("unit"):
            assert not membership.unit.successions.exists(), membership.unit.name
    assert User.objects.get(username="laichau.lanhdao").memberships.get().role == "leader"


def test_second_run_changes_nothing(seeded, capsys, settings):
    settings.DEBUG = True  # demo accounts are refused outside DEBUG
    from simple_history.models import registered_models

    def history_rows():
        return sum(m.history.count() for m in registered_models.values() if hasattr(m, "history"))

    before = (Task.objects.count(), TaskTrack.objects.count(), history_rows())
    call_command("seed_demo")
    assert "không có gì thay đổi" in capsys.readouterr().out
    assert (Task.objects.count(), TaskTrack.objects.count(), history_rows()) == before
