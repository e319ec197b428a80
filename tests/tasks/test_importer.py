"""The assignment-table importer: TSV as printed, CSV, XLSX; all rows or none."""

import datetime as dt

import docx
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from accounts.models import User
from documents.services import document_upsert
from tasks.importer import import_rows, read_table
from tasks.models import ProgressReport, Task, TaskAssignment, TaskTrack
from tasks.services import task_upsert

HEADER = "STT\tNhiệm vụ\tĐơn vị chủ trì thực hiện\tĐơn vị phối hợp thực hiện\tThời gian thực hiện"


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


def test_a_docx_table_is_imported(tmp_path, province_doc):
    document = docx.Document()
    document.add_paragraph("Phụ lục: phân công nhiệm vụ")
    cells = HEADER.split("\t")
    grid = [cells, ["1", "Quán triệt", "Ban Tuyên giáo Tỉnh ủy", "", "Quý II năm 2023"]]
    table = document.add_table(rows=2, cols=5)
    for r, row in enumerate(grid):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    path = tmp_path / "bieu.docx"
    document.save(path)
    call_command("import_tasks", str(path), "--document", "26-CTr/TU")
    assert Task.objects.get(ref="STT 1").due_on == dt.date(2023, 6, 30)


def test_a_hostile_file_is_a_command_error_not_a_crash(tmp_path, province_doc):
    path = tmp_path / "bieu.xlsx"
    path.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(CommandError, match="Không đọc được tệp Excel"):
        call_command("import_tasks", str(path), "--document", "26-CTr/TU")


def test_reimport_matches_by_reference_keeps_reported_tracks_and_lists_missing_rows(
    tmp_path, province_doc, capsys
):
    first = write(
        tmp_path,
        "a.tsv",
        [
            HEADER,
            "1\tViệc một\tBan Tuyên giáo Tỉnh ủy\t\tNăm 2022",
            "2\tViệc hai\tBan cán sự đảng UBND tỉnh\tBan Tuyên giáo Tỉnh ủy\tNăm 2023",
            "3\tViệc ba\tBan Tuyên giáo Tỉnh ủy\t\tNăm 2023",
        ],
    )
    call_command("import_tasks", str(first), "--document", "26-CTr/TU")
    one = Task.objects.get(ref="STT 1")
    reported = TaskTrack.objects.get(task=one)
    author = User.objects.create(username="canbo")
    ProgressReport.objects.create(track=reported, period_year=2022, period_quarter=4, author=author)
    two = Task.objects.get(ref="STT 2")
    # corrected: row 1 has a new lead and deadline, row 2 loses its coordinator, row 3 is gone
    corrected = write(
        tmp_path,
        "b.tsv",
        [
            HEADER,
            "1\tViệc một (sửa)\tBan cán sự đảng UBND tỉnh\t\tQuý II năm 2023",
            "2\tViệc hai\tBan cán sự đảng UBND tỉnh\t\tNăm 2023",
        ],
    )
    capsys.readouterr()
    call_command("import_tasks", str(corrected), "--document", "26-CTr/TU")
    out = capsys.readouterr().out
    assert "0 mới, 2 cập nhật" in out
    assert "không còn trong bảng" in out and "STT 3" in out
    one.refresh_from_db()
    assert one.title == "Việc một (sửa)" and one.due_on == dt.date(2023, 6, 30)
    assert Task.objects.get(ref="STT 2").pk == two.pk  # matched, not recreated
    assert Task.objects.filter(ref="STT 3").exists()  # kept
    # the old lead's track holds a report: kept beside the new lead's
    assert sorted(TaskTrack.objects.filter(task=one).values_list("unit__key", flat=True)) == [
        "bcsd",
        "btg",
    ]
    assert not TaskAssignment.objects.filter(task=two, role="coordinate").exists()
    # the history shows each step, the removal included
    kinds = list(
        TaskAssignment.history.filter(task_id=two.pk).values_list("history_type", flat=True)
    )
    assert sorted(kinds) == ["+", "+", "-"]
    assert Task.history.filter(id=one.pk).count() == 2


def test_a_track_without_reports_goes_with_its_lead(tmp_path, province_doc):
    call_command(
        "import_tasks",
        str(write(tmp_path, "a.tsv", [HEADER, "1\tViệc\tBan Tuyên giáo Tỉnh ủy\t\tNăm 2022"])),
        "--document",
        "26-CTr/TU",
    )
    call_command(
        "import_tasks",
        str(write(tmp_path, "b.tsv", [HEADER, "1\tViệc\tBan cán sự đảng UBND tỉnh\t\tNăm 2022"])),
        "--document",
        "26-CTr/TU",
    )
    task = Task.objects.get(ref="STT 1")
    assert list(TaskTrack.objects.filter(task=task).values_list("unit__key", flat=True)) == ["bcsd"]
    assert TaskTrack.history.filter(task_id=task.pk, history_type="-").count() == 1


def _table(count, title="Việc"):
    lines = [HEADER]
    for i in range(1, count + 1):
        if i % 5 == 0:  # a sub-row under the row above
            lines.append(
                f"-\t{title} {i}\tBan cán sự đảng UBND tỉnh\tBan Tuyên giáo Tỉnh ủy\tNăm 2023"
            )
        else:
            lines.append(
                f"{i}\t{title} {i}\tCác cấp ủy đảng trực thuộc Tỉnh ủy\tBan Tuyên giáo Tỉnh ủy\tQuý {1 + i % 4} năm 2023"
            )
    return "\n".join(lines) + "\n"


def _import_counting(doc, text):
    rows = read_table(text.encode(), name="t.tsv")
    with CaptureQueriesContext(connection) as queries:
        report = import_rows(doc, rows)
    assert report.ok, report.errors
    return report, len(queries)


def test_the_import_takes_the_same_number_of_queries_for_20_and_200_rows(
    postgres_only, province_doc
):
    other, _ = document_upsert(
        slug="kh-2",
        kind="KH",
        title="Kế hoạch khác",
        issuer=province_doc.issuer,
        number="30-KH/TU",
        issued_on=dt.date(2023, 1, 5),
        province=province_doc.province,
    )
    small, small_queries = _import_counting(province_doc, _table(20))
    large, large_queries = _import_counting(other, _table(200))
    assert (small.created, large.created) == (20, 200)
    assert TaskTrack.objects.filter(task__document=other).count() == 160 * 2 + 40
    assert small_queries == large_queries
    # a re-import that changes every row: constant too
    _, small_again = _import_counting(province_doc, _table(20, title="Sửa"))
    _, large_again = _import_counting(other, _table(200, title="Sửa"))
    assert small_again == large_again
    assert Task.objects.filter(document=other, title__startswith="Sửa").count() == 200


def test_an_existing_task_gets_a_parent_created_by_the_same_import(tmp_path, province_doc):
    # "STT 2.1" was entered by hand before its parent row; the table now brings both
    task_upsert(document=province_doc, ref="STT 2.1", title="Đề án con")
    path = write(
        tmp_path,
        "t.tsv",
        [
            HEADER,
            "2\tĐầu tư công trình\tBan Tuyên giáo Tỉnh ủy\t\tNăm 2023",
            "-\tĐề án con\tBan Tuyên giáo Tỉnh ủy\t\tNăm 2023",
        ],
    )
    call_command("import_tasks", str(path), "--document", "26-CTr/TU")
    child = Task.objects.get(ref="STT 2.1")
    assert child.parent == Task.objects.get(ref="STT 2")
    assert child.history.first().parent_id == child.parent_id


def test_the_bulk_history_matches_the_rows_written_with_the_clerk_and_the_kind(province_doc):
    clerk = User.objects.create(username="vanphong")
    table = "\n".join(
        [
            HEADER,
            "1\tViệc một\tBan cán sự đảng UBND tỉnh\tBan Tuyên giáo Tỉnh ủy\tQuý II năm 2023",
            "-\tViệc con\tBan Tuyên giáo Tỉnh ủy\t\tNăm 2023",
        ]
    )
    report = import_rows(province_doc, read_table(table.encode(), name="t.tsv"), user=clerk)
    assert report.ok, report.errors
    parent, child = Task.objects.get(ref="STT 1"), Task.objects.get(ref="STT 1.1")
    record = parent.history.get()
    # every column the row holds, as written, with who and what
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        "+",
        clerk,
        "",
    )
    assert (record.title, record.due_on, record.deadline_text, record.document_id) == (
        "Việc một",
        dt.date(2023, 6, 30),
        "Quý II năm 2023",
        province_doc.pk,
    )
    assert child.history.get().parent_id == parent.pk
    assert TaskAssignment.history.filter(history_type="+", history_user=clerk).count() == 3
    assert sorted(
        TaskTrack.history.filter(history_type="+").values_list("task_id", "unit__key")
    ) == sorted(TaskTrack.objects.values_list("task_id", "unit__key"))
    # a corrected title: one "~" record with the new title
    table = table.replace("Việc một", "Việc một (sửa)")
    import_rows(province_doc, read_table(table.encode(), name="t.tsv"), user=clerk)
    changed = parent.history.filter(history_type="~").get()
    assert (changed.title, changed.history_user) == ("Việc một (sửa)", clerk)
    assert child.history.count() == 1  # unchanged: no record
