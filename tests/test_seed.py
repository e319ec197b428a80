"""The seed loader against the five source texts (counts and a sample of fields)."""

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

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
    # 9 tasks of section II + the action programmes (III.1) + the monitoring duty (III.3)
    assert counts["kh-11-nq-tw"] == 11
    # 6 task groups (III) + 10 table rows + 5 projects under row 6 + 4 duties (IV)
    assert counts["26-ctr-tu"] == 25
    assert counts["kh-26-kl-tw"] == 40
    assert counts["kh-72-kl-tw-bac-kan"] == 24
    assert counts["kh-quy-hoach-vung-tdmnpb"] == 4
    assert seeded.indicators_per_document["kh-26-kl-tw"] == 12
    assert seeded.indicators_per_document["26-ctr-tu"] == 35  # 24 of II.2 + 11 of III


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


SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def _section(seed: str, start: str, end: str) -> str:
    text = next(SEEDS.glob(f"{seed}_*.txt")).read_text(encoding="utf-8")
    return text[text.index(start) : text.index(end)]


def test_lai_chau_section_iii_against_the_text(seeded):
    section = _section("004", "III- NHIỆM VỤ VÀ GIẢI PHÁP CHỦ YẾU", "IV- TỔ CHỨC THỰC HIỆN")
    headings = re.findall(r"^(\d)\. (.+)$", section, flags=re.MULTILINE)
    tasks = tasks_of("26-ctr-tu")
    groups = sorted(ref for ref in tasks if ref.startswith("III."))
    # the six groups, titled as printed, each holding its paragraphs
    assert len(headings) == len(groups) == 6
    for number, heading in headings:
        task = tasks[f"III.{number}"]
        assert task.title == heading.strip()
        assert task.description.startswith("- ")
    bullets = sum(tasks[ref].description.count("\n- ") + 1 for ref in groups)  # dashed items
    assert bullets == section.count("\n- ")
    # every quantified target of section III is loaded, its phrase found in the text, and
    # linked to the group that states it
    flat = " ".join(section.split())
    targets = Indicator.objects.filter(document__slug="26-ctr-tu", group__contains="mục III")
    assert targets.count() == 11
    for indicator in targets:
        number = indicator.target_text.split()[-2] if " " in indicator.target_text else ""
        assert (number or indicator.target_text.rstrip("%")) in flat, indicator.code
        assert {t.ref[:4] for t in indicator.tasks.all()} == {"III."}
    by_name = {i.name: i for i in targets}
    assert by_name["Tốc độ tăng trưởng bình quân ngành công nghiệp giai đoạn 2021-2030"].per_year
    assert by_name["Tổng vốn đầu tư toàn xã hội giai đoạn 2021-2030"].target_low == 168
    assert by_name["Diện tích chè"].comparator == "more_than"
    assert by_name["Diện tích chè"].target_low == 10000
    assert by_name["Diện tích mắc ca"].target_low == 35000
    assert by_name["Diện tích cây ăn quả tập trung"].target_low == 9800
    assert by_name["Tỷ lệ trường đạt chuẩn quốc gia"].target_low == 80
    # printed order: section III, then the assignment table, then section IV
    ordered = [t.ref for t in Task.objects.filter(document__slug="26-ctr-tu", parent=None)]
    assert ordered[:6] == [f"III.{n}" for n in range(1, 7)]
    assert ordered[6] == "STT 1" and ordered[-4:] == ["IV.1", "IV.2", "IV.3", "IV.4"]


def test_politburo_plan_first_duty_and_bac_kan_press(seeded):
    duty = tasks_of("kh-11-nq-tw")["III.1"]
    leads = {a.unit.name for a in duty.assignments.filter(role="lead")}
    assert {"Ban cán sự đảng Chính phủ", "Đảng đoàn Quốc hội"} <= leads
    assert "Tỉnh ủy các địa phương trong vùng trung du và miền núi Bắc Bộ" in leads
    assert "báo cáo Bộ Chính trị" in duty.title
    # the fourteen provincial party committees each have their own track
    assert TaskTrack.objects.filter(task=duty, unit__key="tinh-uy-lai-chau").exists()
    press = tasks_of("kh-72-kl-tw-bac-kan")["III.1.2"]
    lead = press.assignments.get(role="lead")
    assert lead.unit.name == "Cơ quan báo chí, truyền thông tỉnh Bắc Kạn"
    assert lead.printed_name == "Cơ quan báo chí, truyền thông"
    assert {t.unit.name for t in press.tracks.all()} == {
        "Báo Bắc Kạn",
        "Đài Phát thanh và Truyền hình tỉnh Bắc Kạn",
    }


def test_chain_is_ordered_by_the_relation_not_by_id(seeded):
    ctr = document_get_by_reference("26-CTr/TU")
    above, _ = document_chain(ctr)
    # 26-CTr/TU implements 96/NQ-CP, which implements 11-NQ/TW, which supersedes 37-NQ/TW:
    # nearest first, so 11-NQ/TW is shown above 96/NQ-CP whatever their ids
    numbers = [d.number for d in above]
    assert numbers.index("96/NQ-CP") < numbers.index("11-NQ/TW") < numbers.index("37-NQ/TW")
    plan = Document.objects.get(slug="kh-26-kl-tw")
    above, _ = document_chain(plan)
    assert [d.number for d in above][:2] == ["1580/QĐ-TTg", "26-KL/TW"]


def test_documents_without_number_show_kind_issuer_and_year(seeded):
    plan = Document.objects.select_related("issuer").get(slug="kh-11-nq-tw")
    assert str(plan) == "Kế hoạch của Bộ Chính trị, 2022"
    assert str(document_get_by_reference("11-NQ/TW")) == "Nghị quyết số 11-NQ/TW"
    short = plan.short_title
    assert len(short) <= 120 and short.endswith("…")
    assert plan.title.startswith(short[:-1])  # cut on a word: the rest starts with a space
    assert plan.title[len(short) - 1] in " ,"
