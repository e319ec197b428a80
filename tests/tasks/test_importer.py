"""The assignment-table importer: TSV as printed, CSV, XLSX; all rows or none."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from accounts.choices import UnitKind
from accounts.services import unit_set_members, unit_upsert
from documents.services import document_upsert
from tasks.models import Task, TaskTrack

HEADER = "STT\tNhiệm vụ\tĐơn vị chủ trì thực hiện\tĐơn vị phối hợp thực hiện\tThời gian thực hiện"


@pytest.fixture
def province_doc(db):
    province, _ = unit_upsert(key="tinh-lai-chau", name="Tỉnh Lai Châu", kind=UnitKind.PROVINCE)
    other, _ = unit_upsert(key="tinh-dien-bien", name="Tỉnh Điện Biên", kind=UnitKind.PROVINCE)
    tu, _ = unit_upsert(
        key="tu", name="Tỉnh ủy Lai Châu", kind="provincial_party", province=province
    )
    unit_upsert(
        key="bcsd",
        name="Ban cán sự đảng Ủy ban nhân dân tỉnh Lai Châu",
        kind="party_delegation",
        province=province,
    )
    unit_upsert(
        key="bcsd-db",
        name="Ban cán sự đảng Ủy ban nhân dân tỉnh Điện Biên",
        kind="party_delegation",
        province=other,
    )
    unit_upsert(
        key="btg",
        name="Ban Tuyên giáo Tỉnh ủy Lai Châu",
        kind="provincial_party_agency",
        province=province,
    )
    h1, _ = unit_upsert(
        key="h1", name="Huyện ủy Tam Đường", kind="district_party", province=province
    )
    h2, _ = unit_upsert(
        key="h2", name="Huyện ủy Phong Thổ", kind="district_party", province=province
    )
    group, _ = unit_upsert(
        key="cap-uy",
        name="Các cấp ủy đảng trực thuộc Tỉnh ủy Lai Châu",
        kind=UnitKind.GROUP,
        province=province,
    )
    unit_set_members(unit=group, members=[h1, h2])
    doc, _ = document_upsert(
        slug="ctr",
        kind="CTr",
        title="Chương trình hành động",
        issuer=tu,
        number="26-CTr/TU",
        issued_on=dt.date(2022, 12, 28),
        province=province,
    )
    return doc


def write(tmp_path, name, lines):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_tsv_as_printed_with_sub_rows(tmp_path, province_doc):
    path = write(
        tmp_path,
        "t.tsv",
        [
            HEADER,
            "1\tTổ chức quán triệt\tBan Tuyên giáo Tỉnh ủy\tCác cấp ủy đảng trực thuộc Tỉnh ủy\tNăm 2022",
            "6\tĐầu tư xây dựng các công trình trọng điểm\t\t\t",
            "-\tDự án A\tBan cán sự đảng UBND tỉnh\tCác cấp ủy đảng trực thuộc Tỉnh ủy\t2022-2025",
            "",
            "-\tDự án B\tBCS đảng Ủy ban nhân dân tỉnh\t\tSau khi Thủ tướng Chính phủ phê duyệt",
        ],
    )
    call_command("import_tasks", str(path), "--document", "26-ctr/tu")
    tasks = {t.ref: t for t in Task.objects.filter(document=province_doc)}
    assert set(tasks) == {"STT 1", "STT 6", "STT 6.1", "STT 6.2"}
    assert tasks["STT 6.1"].parent == tasks["STT 6"]
    assert tasks["STT 1"].due_on == dt.date(2022, 12, 31)
    assert tasks["STT 6.1"].starts_on == dt.date(2022, 1, 1)
    assert tasks["STT 6.2"].deadline_kind == "event"
    # "Ban cán sự đảng UBND tỉnh" in Lai Châu's programme is Lai Châu's, not Điện Biên's.
    lead = tasks["STT 6.1"].assignments.get(role="lead")
    assert lead.unit.key == "bcsd"
    assert lead.printed_name == "Ban cán sự đảng UBND tỉnh"
    coordinator = tasks["STT 1"].assignments.get(role="coordinate")
    assert coordinator.unit.key == "cap-uy"
    # Only lead units get tracks to report on.
    assert list(
        TaskTrack.objects.filter(task=tasks["STT 1"]).values_list("unit__key", flat=True)
    ) == ["btg"]


def test_a_collective_lead_gets_one_track_per_member(tmp_path, province_doc):
    path = write(
        tmp_path,
        "t.tsv",
        [
            HEADER,
            "2\tXây dựng kế hoạch\tCác cấp ủy đảng trực thuộc Tỉnh ủy\t\tQuý I năm 2023",
        ],
    )
    call_command("import_tasks", str(path), "--document", "26-CTr/TU")
    task = Task.objects.get(ref="STT 2")
    tracks = TaskTrack.objects.filter(task=task).select_related("unit", "via")
    assert sorted(t.unit.key for t in tracks) == ["h1", "h2"]
    assert {t.via.key for t in tracks} == {"cap-uy"}


def test_unresolved_units_are_reported_by_line_and_nothing_is_written(
    tmp_path, province_doc, capsys
):
    path = write(
        tmp_path,
        "t.tsv",
        [
            HEADER,
            "1\tViệc một\tBan Tuyên giáo Tỉnh ủy\t\tNăm 2022",
            "2\tViệc hai\tSở Không Tồn Tại\t\tNăm 2022",
            "3\tViệc ba\tBan cán sự đảng UBND tỉnh\tBan Ma\tNăm 2022",
        ],
    )
    with pytest.raises(CommandError, match="không ghi dòng nào"):
        call_command("import_tasks", str(path), "--document", "26-CTr/TU")
    err = capsys.readouterr().err
    assert "dòng 3: Không nhận ra đơn vị chủ trì: “Sở Không Tồn Tại”" in err
    assert "dòng 4: Không nhận ra đơn vị phối hợp: “Ban Ma”" in err
    assert not Task.objects.exists()


def test_dry_run_writes_nothing(tmp_path, province_doc, capsys):
    path = write(tmp_path, "t.tsv", [HEADER, "1\tViệc một\tBan Tuyên giáo TU\t\tNăm 2022"])
    call_command("import_tasks", str(path), "--document", "26-CTr/TU", "--dry-run")
    assert "1 dòng hợp lệ" in capsys.readouterr().out
    assert not Task.objects.exists()


def test_csv_and_xlsx_and_idempotence(tmp_path, province_doc, capsys):
    csv_path = write(
        tmp_path,
        "t.csv",
        [
            "STT,Nhiệm vụ,Đơn vị chủ trì,Đơn vị phối hợp,Thời gian thực hiện",
            '1,"Việc một, có dấu phẩy",Ban Tuyên giáo Tỉnh ủy,,Quý II/2023',
        ],
    )
    call_command("import_tasks", str(csv_path), "--document", "26-CTr/TU")
    assert Task.objects.get(ref="STT 1").due_on == dt.date(2023, 6, 30)

    book = Workbook()
    sheet = book.active
    sheet.append(["STT", "Nhiệm vụ", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời gian thực hiện"])
    sheet.append([1, "Việc một, có dấu phẩy", "Ban Tuyên giáo Tỉnh ủy", None, "Quý II/2023"])
    sheet.append([2, "Việc hai", "Ban cán sự đảng UBND tỉnh", None, "Hằng năm"])
    xlsx = tmp_path / "t.xlsx"
    book.save(xlsx)
    capsys.readouterr()
    call_command("import_tasks", str(xlsx), "--document", "26-CTr/TU")
    out = capsys.readouterr().out
    assert "1 mới" in out and "1 không đổi" in out
    history_before = Task.history.count()
    call_command("import_tasks", str(xlsx), "--document", "26-CTr/TU")
    assert "2 không đổi" in capsys.readouterr().out
    assert Task.history.count() == history_before


def test_an_unknown_deadline_is_kept_and_flagged(tmp_path, province_doc):
    path = write(tmp_path, "t.tsv", [HEADER, "1\tViệc một\tBan Tuyên giáo TU\t\tSớm nhất có thể"])
    call_command("import_tasks", str(path), "--document", "26-CTr/TU")
    task = Task.objects.get(ref="STT 1")
    assert task.deadline_text == "Sớm nhất có thể"
    assert task.deadline_kind == "unknown" and task.due_on is None
    assert task.deadline_needs_review


def test_unknown_document_and_missing_header(tmp_path, province_doc):
    path = write(tmp_path, "t.tsv", ["a\tb", "1\t2"])
    with pytest.raises(CommandError, match="Không tìm thấy văn bản"):
        call_command("import_tasks", str(path), "--document", "99-CTr/TU")
    with pytest.raises(CommandError, match="tiêu đề"):
        call_command("import_tasks", str(path), "--document", "26-CTr/TU")


def test_duplicates_are_reported_with_their_lines_and_quotes_are_kept(
    tmp_path, province_doc, capsys
):
    path = write(
        tmp_path,
        "t.tsv",
        [
            HEADER,
            '1\t"Đề án "Phát triển" vùng\tBan Tuyên giáo TU\t\tNăm 2022',
            "1\tViệc trùng số\tBan Tuyên giáo TU\t\tNăm 2022",
        ],
    )
    with pytest.raises(CommandError):
        call_command("import_tasks", str(path), "--document", "26-CTr/TU")
    assert "dòng 3: Số thứ tự trùng với dòng 2: STT 1." in capsys.readouterr().err
    path = write(tmp_path, "t.tsv", [HEADER, '1\t"Đề án "Phát triển" vùng\tBan Tuyên giáo TU\t\t'])
    call_command("import_tasks", str(path), "--document", "26-CTr/TU")
    assert Task.objects.get(ref="STT 1").title == '"Đề án "Phát triển" vùng'
