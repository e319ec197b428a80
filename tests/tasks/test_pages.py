"""The server-rendered pages: scope, bad input, lost updates, exports, query counts."""

import datetime as dt
import io
import unicodedata
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from accounts.models import User
from tasks.export import safe_cell
from tasks.models import Evidence, ProgressReport, Task, TaskTrack
from tasks.services import task_upsert

pytestmark = pytest.mark.django_db


def login(client, username):
    client.force_login(User.objects.get(username=username))
    return client


def task5():
    return Task.objects.get(document__slug="26-ctr-tu", ref="STT 5")


def report_url(task):
    track = TaskTrack.objects.get(task=task)
    return f"/nhiem-vu/{task.pk}/phan-viec/{track.pk}/bao-cao/", f"t{track.pk}"


def post_report(client, task, **fields):
    url, prefix = report_url(task)
    today = dt.date.today()
    data = {
        "year": today.year,
        "quarter": (today.month - 1) // 3 + 1,
        "percent": 10,
        "narrative": "Đang triển khai",
        "action": "save",
    }
    data.update(fields)
    files = data.pop("files", None)
    payload = {(k if k == "action" else f"{prefix}-{k}"): v for k, v in data.items()}
    if files is not None:
        payload[f"{prefix}-files"] = files
    return client.post(url, payload)


def test_landing_pages_per_role(client, seeded):
    assert login(client, "laichau.canbo").get("/")["Location"] == "/viec-cua-toi/"
    assert login(client, "bktw.rasoat").get("/")["Location"] == "/ra-soat-qua-han/"
    client.logout()
    assert client.get("/viec-cua-toi/")["Location"].startswith("/dang-nhap/")


def test_officer_cannot_open_the_review_or_another_units_task(client, seeded):
    login(client, "laichau.canbo")
    assert client.get("/ra-soat-qua-han/").status_code == 404
    bac_kan = Task.objects.filter(document__slug="kh-72-kl-tw-bac-kan").first()
    assert client.get(f"/nhiem-vu/{bac_kan.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("quy hoach", "Quy hoạch tỉnh Lai Châu"),
        ("DU AN", "Dự án Cảng hàng không Lai Châu"),
        (unicodedata.normalize("NFD", "Dự án hầm"), "Dự án hầm đường bộ qua đèo Hoàng Liên"),
    ],
)
def test_accent_insensitive_search(client, seeded, query, expected):
    page = login(client, "laichau.canbo").get("/viec-cua-toi/", {"q": query}).content.decode()
    assert expected in page


def test_my_tasks_filters_by_quarter_and_role(client, seeded):
    login(client, "laichau.canbo")
    page = client.get("/viec-cua-toi/", {"year": 2023, "quarter": 1}).content.decode()
    assert "STT 2 –" in page and "STT 5 –" not in page
    page = client.get("/viec-cua-toi/", {"role": "coordinate"}).content.decode()
    assert "Không có nhiệm vụ nào phù hợp." in page


def test_list_pages_run_a_constant_number_of_queries(client, seeded, django_assert_max_num_queries):
    login(client, "laichau.canbo")
    document = task5().document
    from accounts.models import Unit

    lead = Unit.objects.get(key="bcsd-ubnd-lai-chau")

    def count_queries(url):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    urls = ("/viec-cua-toi/", "/van-ban/26-ctr-tu/", "/van-ban/")
    for url in urls:  # the filter options are cached for the day by the first request
        count_queries(url)
    before = {u: count_queries(u) for u in urls}
    for i in range(30):
        task_upsert(
            document=document,
            ref=f"X.{i}",
            title=f"Việc thêm {i}",
            deadline_text="Quý II/2025",
            leads=[(lead, "x")],
        )
    after = {u: count_queries(u) for u in before}
    assert after == before
    login(client, "bktw.rasoat")
    review_before = count_queries("/ra-soat-qua-han/")
    for i in range(30, 45):
        task_upsert(
            document=document,
            ref=f"X.{i}",
            title=f"Việc quá hạn {i}",
            deadline_text="Quý II/2024",
            leads=[(lead, "x")],
        )
    assert count_queries("/ra-soat-qua-han/") == review_before


def test_bad_input_gets_a_message_and_changes_nothing(client, seeded):
    login(client, "laichau.canbo")
    task = task5()
    response = post_report(client, task, percent=150)
    assert response.status_code == 400
    assert "Tỷ lệ hoàn thành phải từ 0 đến 100%." in response.content.decode()
    future = (dt.date.today() + dt.timedelta(days=5)).strftime("%d/%m/%Y")
    response = post_report(client, task, percent=100, completed_on=future)
    assert "Ngày hoàn thành không được sau ngày hôm nay." in response.content.decode()
    response = post_report(client, task, narrative="  ", action="submit")
    assert "Cần nhập kết quả thực hiện trước khi gửi." in response.content.decode()
    assert not ProgressReport.objects.exclude(state="draft").exists()


def test_disguised_and_oversized_files_are_refused(client, seeded, settings):
    login(client, "laichau.canbo")
    task = task5()
    fake = SimpleUploadedFile("bao-cao.pdf", b"<html><script>alert(1)</script></html>")
    response = post_report(client, task, files=fake)
    assert response.status_code == 400
    assert "Chỉ nhận tệp PDF" in response.content.decode()
    svg = SimpleUploadedFile("anh.svg", b"<svg onload='alert(1)'/>")
    assert post_report(client, task, files=svg).status_code == 400
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<x/>")
        z.writestr("word/document.xml", "0" * 50_000_000)
    response = post_report(client, task, files=SimpleUploadedFile("bom.docx", bomb.getvalue()))
    assert "quá lớn" in response.content.decode()
    settings.EVIDENCE_MAX_BYTES = 1000
    big = SimpleUploadedFile("lon.pdf", b"%PDF-1.4\n" + b"0" * 2000)
    assert "Tệp quá lớn" in post_report(client, task, files=big).content.decode()
    assert not Evidence.objects.exists()


def test_evidence_is_served_only_to_those_who_see_it(client, seeded):
    login(client, "laichau.canbo")
    task = task5()
    pdf = SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4\n%%EOF\n")
    assert post_report(client, task, files=pdf).status_code == 302
    evidence = Evidence.objects.get()
    response = client.get(f"/minh-chung/{evidence.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    login(client, "bkhdt.canbo")
    assert client.get(f"/minh-chung/{evidence.pk}/").status_code == 404


def test_two_people_editing_one_draft(client, seeded):
    login(client, "laichau.canbo")
    task = task5()
    post_report(client, task, narrative="Bản đầu")
    version = ProgressReport.objects.get().version
    assert post_report(client, task, narrative="Bản của An", version=version).status_code == 302
    response = post_report(client, task, narrative="Bản của Bình", version=version)
    assert response.status_code == 409
    page = response.content.decode()
    assert "người khác cập nhật" in page
    assert "Bản của An" in page and "Bản của Bình" in page  # both texts survive
    assert ProgressReport.objects.get().narrative == "Bản của An"


def test_script_is_shown_escaped_and_nfd_is_stored_nfc(client, seeded):
    login(client, "laichau.canbo")
    task = task5()
    text = "<script>alert('x')</script> " + unicodedata.normalize("NFD", "Đã họp")
    post_report(client, task, narrative=text)
    stored = ProgressReport.objects.get().narrative
    assert stored == unicodedata.normalize("NFC", text)
    page = client.get(f"/nhiem-vu/{task.pk}/").content.decode()
    assert "<script>alert('x')</script>" not in page
    assert "&lt;script&gt;" in page


def test_xlsx_export_neutralises_formulas(client, seeded):
    document = task5().document
    from accounts.models import Unit

    task_upsert(
        document=document,
        ref="Z.1",
        title='=HYPERLINK("http://x","bấm")',
        deadline_text="Quý II/2024",
        leads=[(Unit.objects.get(key="bcsd-ubnd-lai-chau"), "x")],
    )
    response = login(client, "laichau.canbo").get("/viec-cua-toi/", {"format": "xlsx"})
    assert response["Content-Disposition"].startswith('attachment; filename="viec-cua-toi-')
    data = b"".join(response.streaming_content)
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    titles = [r[2] for r in rows]
    assert '\'=HYPERLINK("http://x","bấm")' in titles
    assert safe_cell("+1") == "'+1" and safe_cell("@x") == "'@x" and safe_cell("-") == "'-"
    assert safe_cell("Bình thường") == "Bình thường"


def test_overdue_review_groups_buckets_and_lists_the_unassigned(client, seeded):
    page = login(client, "bktw.rasoat").get("/ra-soat-qua-han/", {"nhom": "van-ban"}).content
    page = page.decode()
    assert "quá hạn &gt;90 ngày" in page or "quá hạn >90 ngày" in page
    assert "Nhiệm vụ chưa giao đơn vị" in page
    assert "Tập trung phát triển kết cấu hạ tầng" in page  # seed 002 names no units


def test_overdue_review_counts_groups_and_lists_one_group_a_page_at_a_time(client, seeded):
    from accounts.models import Unit
    from tasks.status import Status
    from tasks.status_sql import StatusQuery

    document = Task.objects.get(document__slug="26-ctr-tu", ref="STT 5").document
    lead = Unit.objects.get(key="bcsd-ubnd-lai-chau")
    for i in range(30):  # more than a page, all with the same lead unit
        task_upsert(
            document=document,
            ref=f"Q.{i}",
            title=f"Việc quá hạn số {i}",
            deadline_text="Quý II/2024",
            leads=[(lead, "x")],
        )
    task_upsert(
        document=document, ref="Q.x", title="Việc không ai chủ trì", deadline_text="Quý I/2024"
    )
    login(client, "bktw.rasoat")
    today = dt.date.today()
    overdue = StatusQuery.on(today).filter(Task.objects.all(), [Status.OVERDUE]).count()
    page = client.get("/ra-soat-qua-han/").content.decode()
    assert f"<strong>{overdue}</strong>nhiệm vụ quá hạn" in page.replace(".", "")
    # Tasks nobody leads are a group of their own; the lead unit's group has all 30.
    assert "(Chưa giao đơn vị)" in page and "?nhom=don-vi&amp;ma=-1" in page
    unit_page = client.get("/ra-soat-qua-han/", {"nhom": "don-vi", "ma": lead.pk}).content.decode()
    # counted under the unit that answers for it today, the old name kept beside it
    assert "Quá hạn – Đảng ủy Ủy ban nhân dân tỉnh Lai Châu" in unit_page
    assert f"gồm việc của {lead.name}" in client.get("/ra-soat-qua-han/").content.decode()
    assert "Trang 1/2" in unit_page and "Việc quá hạn số" in unit_page
    assert "Việc không ai chủ trì" not in unit_page.split("Nhiệm vụ chưa giao đơn vị")[0]
    second = client.get("/ra-soat-qua-han/", {"nhom": "don-vi", "ma": lead.pk, "page": 2})
    assert "Trang 2/2" in second.content.decode()
    nobody = client.get("/ra-soat-qua-han/", {"nhom": "don-vi", "ma": -1}).content.decode()
    listed = nobody.split("Nhiệm vụ chưa giao đơn vị")[0]
    assert "Việc không ai chủ trì" in listed and "Việc quá hạn số" not in listed
    # "Show all groups" survives paging and choosing a group.
    every = client.get("/ra-soat-qua-han/", {"tat-ca": "1"}).content.decode()
    assert "nhom=don-vi&amp;tat-ca=1&amp;ma=" in every
    # The missed due date is shown and the most overdue come first.
    assert "31/03/2024" in listed


def test_comment_and_document_pages(client, seeded):
    login(client, "laichau.canbo")
    task = task5()
    client.post(f"/nhiem-vu/{task.pk}/y-kien/", {"text": "Đề nghị bổ sung tiến độ"})
    assert "Đề nghị bổ sung tiến độ" in client.get(f"/nhiem-vu/{task.pk}/").content.decode()
    page = client.get("/van-ban/11-nq-tw/").content.decode() if False else ""
    page = client.get("/van-ban/").content.decode()
    assert "26-CTr/TU" in page and "1580/QĐ-TTg" in page


def test_reviewer_asks_for_an_explanation_and_the_unit_answers(client, seeded):
    task = Task.objects.get(document__slug="26-ctr-tu", ref="STT 2")
    from accounts.models import Unit

    unit = task.assignments.get(role="lead").unit
    login(client, "bktw.rasoat")
    due = (dt.date.today() + dt.timedelta(days=10)).strftime("%d/%m/%Y")
    client.post(
        f"/nhiem-vu/{task.pk}/giai-trinh/",
        {"unit": unit.pk, "question": "Vì sao chậm?", "answer_by": due},
    )
    explanation = task.explanations.get()
    assert explanation.question == "Vì sao chậm?"
    # An officer of another unit cannot answer; the asked unit's member can.
    from accounts.choices import Role
    from accounts.services import membership_ensure

    member = User.objects.create_user("ban-tuyen-giao", password="x-123456789")
    membership_ensure(
        user=member, unit=Unit.objects.get(key="ban-tuyen-giao-tu-lai-chau"), role=Role.OFFICER
    )
    login(client, "laichau.canbo")
    client.post(f"/nhiem-vu/{task.pk}/giai-trinh/{explanation.pk}/", {"answer": "Trả lời sai"})
    explanation.refresh_from_db()
    assert explanation.answer == ""
    member_of_lead = User.objects.create_user("thanh-vien", password="x-123456789")
    membership_ensure(user=member_of_lead, unit=unit, role=Role.OFFICER)
    client.force_login(member_of_lead)
    client.post(f"/nhiem-vu/{task.pk}/giai-trinh/{explanation.pk}/", {"answer": "Đang hoàn thiện"})
    explanation.refresh_from_db()
    assert explanation.answer == "Đang hoàn thiện"
    # Officers cannot ask for explanations.
    login(client, "laichau.canbo")
    client.post(
        f"/nhiem-vu/{task.pk}/giai-trinh/", {"unit": unit.pk, "question": "x", "answer_by": due}
    )
    assert task.explanations.count() == 1


def test_lockout_after_five_failed_sign_ins(client, seeded):
    for _ in range(5):
        response = client.post("/dang-nhap/", {"username": "laichau.canbo", "password": "sai"})
    assert response.status_code == 429
    assert "Tạm khóa đăng nhập" in response.content.decode()
    response = client.post(
        "/dang-nhap/", {"username": "laichau.canbo", "password": "DemoPortal@2026"}
    )
    assert response.status_code == 429


def test_sign_ins_and_refusals_are_audited(client, seeded):
    from accounts.models import AuditEvent

    client.post("/dang-nhap/", {"username": "laichau.canbo", "password": "sai"})
    client.post("/dang-nhap/", {"username": "laichau.canbo", "password": "DemoPortal@2026"})
    actions = list(AuditEvent.objects.order_by("created_at").values_list("action", "username"))
    assert actions == [("sign_in_failed", "laichau.canbo"), ("sign_in", "laichau.canbo")]
    # An officer tries to approve her own unit's report: refused and recorded.
    task = task5()
    post_report(client, task, narrative="Xong", action="submit")
    report = ProgressReport.objects.get()
    client.post(f"/bao-cao/{report.pk}/duyet/", {"version": report.version})
    refused = AuditEvent.objects.get(action="refused")
    assert refused.username == "laichau.canbo" and "duyệt" in refused.detail
    assert ProgressReport.objects.get().state == "submitted"


def test_a_100_percent_report_without_a_date_is_refused_and_keeps_the_text(client, seeded):
    login(client, "laichau.canbo")
    response = post_report(client, task5(), percent=100, narrative="Đã hoàn thành toàn bộ")
    assert response.status_code == 400
    page = response.content.decode()
    assert "100% cần ghi ngày hoàn thành" in page
    assert "Đã hoàn thành toàn bộ" in page  # what was typed is still in the form
    assert not ProgressReport.objects.exists()


def test_a_bad_date_keeps_the_narrative(client, seeded):
    login(client, "laichau.canbo")
    response = post_report(client, task5(), completed_on="31/02/2026", narrative="Nội dung dài")
    assert response.status_code == 400
    assert "Nội dung dài" in response.content.decode()


def test_withdraw_reopen_and_history_in_vietnamese(client, seeded):
    task = task5()
    login(client, "laichau.canbo")
    post_report(client, task, action="submit")
    report = ProgressReport.objects.get()
    page = client.get(f"/nhiem-vu/{task.pk}/").content.decode()
    assert f"/bao-cao/{report.pk}/rut-lai/" in page
    client.post(f"/bao-cao/{report.pk}/rut-lai/", {"version": report.version})
    report.refresh_from_db()
    assert report.state == "draft"
    page = client.get(f"/nhiem-vu/{task.pk}/").content.decode()
    # The history speaks Vietnamese: states by their labels, never "submitted → draft".
    assert "Trạng thái: Đã gửi → Bản nháp" in page
    assert "submitted" not in page.split('id="lich-su"')[1]
    # Only the leader reopens an approved report, with a reason.
    from tasks.services import report_approve, report_submit

    report = report_submit(report_id=report.pk, user=report.author, version=report.version)
    leader = User.objects.get(username="laichau.lanhdao")
    report = report_approve(report_id=report.pk, user=leader, version=report.version)
    page = client.get(f"/nhiem-vu/{task.pk}/").content.decode()
    assert f"/bao-cao/{report.pk}/mo-lai/" not in page  # the officer may not
    login(client, "laichau.lanhdao")
    page = client.get(f"/nhiem-vu/{task.pk}/").content.decode()
    assert f"/bao-cao/{report.pk}/mo-lai/" in page
    client.post(
        f"/bao-cao/{report.pk}/mo-lai/", {"version": report.version, "reason": "Sai số liệu"}
    )
    report.refresh_from_db()
    assert (report.state, report.return_reason) == ("returned", "Sai số liệu")


def test_copy_last_quarter_prefills_the_form(client, seeded):
    from tasks.services import report_save_draft

    task = task5()
    track = TaskTrack.objects.get(task=task)
    today = dt.date.today()
    last = dt.date(today.year, ((today.month - 1) // 3) * 3 + 1, 1) - dt.timedelta(days=1)
    report_save_draft(
        track=track,
        user=User.objects.get(username="laichau.canbo"),
        year=last.year,
        quarter=(last.month - 1) // 3 + 1,
        percent=40,
        narrative="Kết quả quý trước",
        today=today,
    )
    login(client, "laichau.canbo")
    page = client.get(f"/nhiem-vu/{task.pk}/").content.decode()
    assert "Sao chép báo cáo quý trước" in page
    form = page.split(f'id="bao-cao-form-{track.pk}"')[1].split("</form>")[0]
    assert "Kết quả quý trước" not in form
    page = client.get(f"/nhiem-vu/{task.pk}/?sao-chep={track.pk}").content.decode()
    form = page.split(f'id="bao-cao-form-{track.pk}"')[1].split("</form>")[0]
    assert "Kết quả quý trước" in form and 'value="40"' in form


def test_a_bad_date_in_an_explanation_request_keeps_the_question(client, seeded):
    task = Task.objects.get(document__slug="26-ctr-tu", ref="STT 2")
    unit = task.assignments.get(role="lead").unit
    login(client, "bktw.rasoat")
    response = client.post(
        f"/nhiem-vu/{task.pk}/giai-trinh/",
        {"unit": unit.pk, "question": "Vì sao chậm tiến độ?", "answer_by": "31/02/2027"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Vì sao chậm tiến độ?" in page and 'value="31/02/2027"' in page
    assert not task.explanations.exists()
    # A date already passed is refused by the service; the question is kept too.
    response = client.post(
        f"/nhiem-vu/{task.pk}/giai-trinh/",
        {"unit": unit.pk, "question": "Vì sao chậm tiến độ?", "answer_by": "01/01/2020"},
    )
    assert response.status_code == 400
    assert "Vì sao chậm tiến độ?" in response.content.decode()
