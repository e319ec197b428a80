"""Synthetic national data set, written straight to PostgreSQL with COPY (no Django).

Rows go in foreign-key order: units (34 provinces, ~60 ministries and central bodies,
provincial departments), users and memberships, documents and their monitors, tasks (titles
from word lists, deadline phrases parsed once per distinct phrase by
``tasks.deadlines.parse_deadline``), assignments, tracks, progress reports and reminder
records with unique keys. Ids are chosen here and the sequences moved past them at the end.

History tables (django-simple-history) are left empty: the bench measures reads and the
reminder scan, which never read them.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from dataclasses import dataclass, field
from typing import Any

from accounts.names import name_key
from tasks.deadlines import DeadlineKind, parse_deadline, quarter_end


@dataclass(frozen=True)
class Size:
    name: str
    tasks: int
    reports: int
    reminders: int
    departments_per_province: int
    tasks_per_document: int
    requests: int  # API requests per concurrency level
    page_requests: int  # requests per server-rendered page
    import_rows: int  # rows of the assignment table given to import_tasks
    budget_s: float  # at most this long per load level (then fewer requests are made)


SIZES = {
    "tiny": Size("tiny", 300, 1_200, 3_000, 3, 30, 20, 4, 100, 4),
    "small": Size("small", 2_000, 8_000, 20_000, 59, 40, 200, 20, 1_000, 15),
    "medium": Size("medium", 20_000, 80_000, 200_000, 59, 50, 200, 20, 1_000, 30),
    "national": Size("national", 100_000, 400_000, 1_000_000, 59, 50, 120, 12, 1_000, 45),
}

PROVINCES = [
    "Thành phố Hà Nội", "Thành phố Huế", "Tỉnh Lai Châu", "Tỉnh Điện Biên", "Tỉnh Sơn La",
    "Tỉnh Lạng Sơn", "Tỉnh Quảng Ninh", "Tỉnh Thanh Hóa", "Tỉnh Nghệ An", "Tỉnh Hà Tĩnh",
    "Tỉnh Cao Bằng", "Tỉnh Tuyên Quang", "Tỉnh Lào Cai", "Tỉnh Thái Nguyên", "Tỉnh Phú Thọ",
    "Tỉnh Bắc Ninh", "Tỉnh Hưng Yên", "Thành phố Hải Phòng", "Tỉnh Ninh Bình",
    "Tỉnh Quảng Trị", "Thành phố Đà Nẵng", "Tỉnh Quảng Ngãi", "Tỉnh Gia Lai",
    "Tỉnh Khánh Hòa", "Tỉnh Lâm Đồng", "Tỉnh Đắk Lắk", "Thành phố Hồ Chí Minh",
    "Tỉnh Đồng Nai", "Tỉnh Tây Ninh", "Thành phố Cần Thơ", "Tỉnh Vĩnh Long",
    "Tỉnh Đồng Tháp", "Tỉnh Cà Mau", "Tỉnh An Giang",
]  # fmt: skip
MINISTRIES = [
    "Bộ Quốc phòng", "Bộ Công an", "Bộ Ngoại giao", "Bộ Nội vụ", "Bộ Tư pháp",
    "Bộ Tài chính", "Bộ Công Thương", "Bộ Nông nghiệp và Môi trường", "Bộ Xây dựng",
    "Bộ Văn hóa, Thể thao và Du lịch", "Bộ Khoa học và Công nghệ", "Bộ Giáo dục và Đào tạo",
    "Bộ Y tế", "Bộ Dân tộc và Tôn giáo", "Ngân hàng Nhà nước Việt Nam", "Thanh tra Chính phủ",
    "Văn phòng Chính phủ",
]  # fmt: skip
CENTRAL_AGENCIES = [
    "Ban Tổ chức Trung ương", "Ban Tuyên giáo và Dân vận Trung ương", "Ban Nội chính Trung ương",
    "Ban Chính sách, chiến lược Trung ương", "Ủy ban Kiểm tra Trung ương",
    "Văn phòng Trung ương Đảng", "Ban Đối ngoại Trung ương",
]  # fmt: skip
DEPARTMENTS = [
    "Sở Tài chính", "Sở Nội vụ", "Sở Tư pháp", "Sở Công Thương", "Sở Xây dựng", "Sở Y tế",
    "Sở Giáo dục và Đào tạo", "Sở Khoa học và Công nghệ", "Sở Nông nghiệp và Môi trường",
    "Sở Văn hóa, Thể thao và Du lịch", "Sở Dân tộc và Tôn giáo", "Sở Ngoại vụ",
    "Thanh tra tỉnh", "Văn phòng Ủy ban nhân dân tỉnh", "Ban Tổ chức Tỉnh ủy",
    "Ban Tuyên giáo và Dân vận Tỉnh ủy", "Ủy ban Kiểm tra Tỉnh ủy", "Văn phòng Tỉnh ủy",
    "Ban Nội chính Tỉnh ủy", "Công an tỉnh", "Bộ Chỉ huy Quân sự tỉnh",
    "Ban Quản lý các khu công nghiệp", "Đài Phát thanh và Truyền hình",
    "Ngân hàng Nhà nước chi nhánh", "Cục Thuế", "Kho bạc Nhà nước", "Bảo hiểm xã hội",
    "Cục Thống kê", "Hội Nông dân tỉnh", "Tỉnh đoàn", "Hội Liên hiệp Phụ nữ tỉnh",
    "Liên đoàn Lao động tỉnh", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", "Hội Cựu chiến binh tỉnh",
    "Trường Chính trị tỉnh", "Báo tỉnh", "Ban Quản lý dự án đầu tư xây dựng",
    "Trung tâm Xúc tiến đầu tư", "Quỹ Đầu tư phát triển", "Trung tâm Phục vụ hành chính công",
    "Bệnh viện Đa khoa tỉnh", "Trung tâm Kiểm soát bệnh tật", "Trường Đại học tỉnh",
    "Ban Dân tộc", "Hội Chữ thập đỏ tỉnh", "Liên minh Hợp tác xã tỉnh", "Hội Luật gia tỉnh",
    "Hội Văn học nghệ thuật tỉnh", "Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh",
    "Ban Quản lý Khu kinh tế", "Trung tâm Lưu trữ lịch sử", "Chi cục Thủy lợi",
    "Chi cục Kiểm lâm", "Vườn quốc gia", "Ban Quản lý rừng phòng hộ", "Cảng vụ Hàng hải",
    "Cục Hải quan", "Trung tâm Công nghệ thông tin", "Sở Giao thông vận tải (cũ)",
]  # fmt: skip
VERBS = [
    "Rà soát, hoàn thiện", "Xây dựng", "Triển khai thực hiện", "Nghiên cứu, đề xuất",
    "Tổng kết", "Sửa đổi, bổ sung", "Kiểm tra, giám sát", "Đẩy mạnh", "Tổ chức thực hiện",
    "Ban hành", "Sơ kết", "Tăng cường",
]  # fmt: skip
OBJECTS = [
    "cơ chế, chính sách phát triển kinh tế tư nhân", "quy hoạch tỉnh thời kỳ 2021-2030",
    "Đề án chuyển đổi số quốc gia", "chương trình phát triển nhà ở xã hội",
    "hệ thống pháp luật về đất đai", "kế hoạch đầu tư công trung hạn",
    "chính sách hỗ trợ đồng bào dân tộc thiểu số", "hạ tầng giao thông kết nối vùng",
    "mô hình chính quyền địa phương hai cấp", "nguồn nhân lực chất lượng cao",
    "công tác phòng, chống tham nhũng, lãng phí", "chiến lược phát triển khoa học, công nghệ",
    "Nghị quyết số 57-NQ/TW về đột phá phát triển khoa học, công nghệ",
    "cải cách thủ tục hành chính", "chương trình mục tiêu quốc gia xây dựng nông thôn mới",
    "hệ thống y tế cơ sở", "đổi mới căn bản, toàn diện giáo dục và đào tạo",
]  # fmt: skip
QUALIFIERS = [
    "trên địa bàn tỉnh", "trong phạm vi cả nước", "theo hướng tinh gọn, hiệu lực, hiệu quả",
    "gắn với bảo đảm quốc phòng, an ninh", "báo cáo Bộ Chính trị", "trình Quốc hội xem xét",
    "", "",
]  # fmt: skip
ROMAN = ["I", "II", "III", "IV"]


def deadline_phrases() -> list[str]:
    """Distinct deadline phrases as printed, weighted by repetition."""
    phrases: list[str] = []
    for year in range(2023, 2029):
        for q in range(4):
            phrases.append(f"Quý {ROMAN[q]}/{year}")
            phrases.append(f"Hoàn thành trong quý {ROMAN[q]} năm {year}")
        phrases += [f"Năm {year}", f"Tháng 12/{year}", f"Trước ngày 30/6/{year}"]
        phrases += [f"Trước 31/12/{year}", f"6 tháng đầu năm {year}"]
    phrases += ["2023-2025", "2021-2025", "Giai đoạn 2026-2030", "2026-2030"] * 3
    phrases += ["Hằng năm", "Hằng quý", "Năm 2026 và các năm tiếp theo"] * 2
    phrases += ["Định kỳ 6 tháng", "Định kỳ 6 tháng, hằng năm", "Trước 15/12 hằng năm"]
    phrases += ["Thường xuyên"] * 6
    phrases += ["Sau khi Luật được Quốc hội thông qua", "Trình Bộ Chính trị", ""]
    return phrases


@dataclass
class Built:
    """What the run needs to know about the data it built."""

    counts: dict[str, int] = field(default_factory=dict)
    busy_unit: int = 0
    busy_unit_name: str = ""
    monitor_unit: int = 0
    review_all_unit: int = 0
    import_document_slug: str = "bench-import"
    import_units: list[str] = field(default_factory=list)
    author_id: int = 0
    phrases: int = 0


class _Copy:
    """Rows buffered as COPY text and flushed every ``chunk`` rows."""

    def __init__(self, cur: Any, table: str, columns: list[str], chunk: int = 100_000) -> None:
        self.cur, self.table, self.columns, self.chunk = cur, table, columns, chunk
        self.buf = io.StringIO()
        self.pending = 0
        self.total = 0

    @staticmethod
    def _cell(value: object) -> str:
        if value is None:
            return "\\N"
        if value is True:
            return "t"
        if value is False:
            return "f"
        text = str(value)
        return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")

    def add(self, *values: object) -> None:
        self.buf.write("\t".join(self._cell(v) for v in values))
        self.buf.write("\n")
        self.pending += 1
        if self.pending >= self.chunk:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.buf.seek(0)
            self.cur.copy_expert(
                f"COPY {self.table} ({', '.join(self.columns)}) FROM STDIN", self.buf
            )
            self.total += self.pending
        self.buf = io.StringIO()
        self.pending = 0


def build(conn: Any, size: Size, today: dt.date, seed: int = 20251) -> Built:
    """Fill an empty, migrated database. ``conn`` is a psycopg2 connection."""
    rng = random.Random(seed)
    out = Built()
    now = dt.datetime.now(dt.UTC)
    cur = conn.cursor()

    # ---------------------------------------------------------------- units
    units = _Copy(
        cur,
        "accounts_unit",
        ["id", "key", "name", "name_key", "short_name", "kind", "reviews_all",
         "parent_id", "province_id"],
    )  # fmt: skip
    uid = 0

    def unit(name: str, kind: str, province: int | None = None, **extra: object) -> int:
        nonlocal uid
        uid += 1
        units.add(
            uid, f"u{uid}", name, name_key(name), "", kind, extra.get("reviews_all", False),
            extra.get("parent"), province,
        )  # fmt: skip
        return uid

    unit("Ban Chấp hành Trung ương", "party_central")
    unit("Chính phủ", "government")
    economic = unit("Ban Kinh tế Trung ương", "party_agency", reviews_all=True)
    central = [unit(n, "party_agency") for n in CENTRAL_AGENCIES]
    ministries = [unit(n, "ministry") for n in MINISTRIES]
    # pad to ~60 central bodies with the agencies under the Government
    for i in range(60 - len(ministries) - len(central)):
        ministries.append(unit(f"Cơ quan thuộc Chính phủ số {i + 1}", "ministry"))
    provinces: list[int] = []
    departments: list[int] = []
    party_committees: list[int] = []
    for pname in PROVINCES:
        pid = unit(pname, "province")
        provinces.append(pid)
        place = pname.removeprefix("Tỉnh ").removeprefix("Thành phố ")
        party_committees.append(unit(f"Tỉnh ủy {place}", "provincial_party", pid, parent=pid))
        departments.append(party_committees[-1])
        departments.append(unit(f"Ủy ban nhân dân {pname.lower()}", "provincial_government", pid))
        for dname in DEPARTMENTS[: size.departments_per_province]:
            departments.append(unit(f"{dname} {place}", "provincial_department", pid, parent=pid))
    # A collective assignee, as in seed 001 item 7: each member reports its own share.
    region = unit("Tỉnh ủy các tỉnh trung du và miền núi (thử)", "group")
    units.flush()
    out.counts["units"] = units.total
    group_members = _Copy(cur, "accounts_unit_members", ["id", "from_unit_id", "to_unit_id"])
    for position, member in enumerate(party_committees[:14], start=1):
        group_members.add(position, region, member)
    group_members.flush()
    out.busy_unit = ministries[5]  # Bộ Tài chính leads far more than its share
    out.busy_unit_name = MINISTRIES[5]
    out.monitor_unit = central[4]  # Ủy ban Kiểm tra Trung ương monitors a slice of documents
    out.review_all_unit = economic  # Ban Kinh tế Trung ương reviews every document
    out.import_units = MINISTRIES[:12]
    leads = ministries + departments

    # ---------------------------------------------------------------- users
    users = _Copy(
        cur,
        "accounts_user",
        ["id", "password", "is_superuser", "username", "first_name", "last_name", "email",
         "is_staff", "is_active", "date_joined", "full_name", "phone"],
    )  # fmt: skip
    members = _Copy(cur, "accounts_membership", ["id", "role", "user_id", "unit_id"])
    user_of: dict[int, int] = {}
    user_id = 0
    for unit_id in range(1, uid + 1):
        for role in ("officer", "leader"):
            user_id += 1
            users.add(
                user_id, "!", False, f"u{unit_id}_{role}", "", "", f"u{unit_id}.{role}@example.vn",
                False, True, now, f"Cán bộ {unit_id}", "",
            )  # fmt: skip
            members.add(user_id, role, user_id, unit_id)
            if role == "officer":
                user_of[unit_id] = user_id
    for unit_id in [economic, out.monitor_unit]:
        user_id += 1
        users.add(
            user_id, "!", False, f"u{unit_id}_reviewer", "", "", "", False, True, now,
            "Chuyên viên rà soát", "",
        )  # fmt: skip
        members.add(user_id, "reviewer", user_id, unit_id)
    users.flush()
    members.flush()
    out.counts["users"] = users.total
    out.author_id = user_of[out.busy_unit]

    # ---------------------------------------------------------------- documents
    n_docs = max(2, size.tasks // size.tasks_per_document)
    docs = _Copy(
        cur,
        "documents_document",
        ["id", "slug", "number", "number_key", "kind", "title", "issued_on", "issued_year",
         "signer", "signer_title", "horizon", "horizon_year", "is_stub", "source_file",
         "issuer_id", "province_id"],
    )  # fmt: skip
    monitors = _Copy(cur, "documents_document_monitors", ["id", "document_id", "unit_id"])
    doc_dates: list[dt.date] = []
    kinds = ["NQ", "KL", "QĐ", "KH", "CTr"]
    for d in range(1, n_docs + 1):
        issued = dt.date(2021, 1, 1) + dt.timedelta(days=rng.randrange(0, 5 * 365))
        doc_dates.append(issued)
        kind = rng.choice(kinds)
        province = rng.choice(provinces) if rng.random() < 0.6 else None
        issuer = province or rng.choice(ministries)
        title = f"{rng.choice(VERBS)} {rng.choice(OBJECTS)}"
        # A plan's horizon bounds its recurring duties' occurrences; four in ten have none
        # (open-ended), some ended before today.
        horizon_year = None if rng.random() < 0.4 else issued.year + rng.choice((2, 4, 5, 9))
        horizon = f"Đến năm {horizon_year}" if horizon_year else ""
        docs.add(
            d, f"vb-{d}", f"{d}/{kind}-BENCH", "", kind, title, issued, issued.year, "", "",
            horizon, horizon_year, False, "", issuer, province,
        )  # fmt: skip
        monitors.add(d, d, economic)
        if d % 50 == 1:  # the bench reviewer's body monitors one document in fifty
            monitors.add(n_docs + d, d, out.monitor_unit)
    import_doc = n_docs + 1
    docs.add(
        import_doc, out.import_document_slug, "", "", "KH", "Kế hoạch nhập thử biểu phân công",
        today, today.year, "", "", "", None, False, "", ministries[0], None,
    )  # fmt: skip
    docs.flush()
    monitors.flush()
    out.counts["documents"] = docs.total

    # ---------------------------------------------------------------- tasks
    phrases = deadline_phrases()
    parsed = {p: parse_deadline(p) for p in set(phrases)}
    out.phrases = len(parsed)
    tasks = _Copy(
        cur,
        "tasks_task",
        ["id", "ref", "position", "title", "description", "deadline_text", "deadline_kind",
         "due_on", "starts_on", "recurrence", "deadline_normalized", "deadline_note",
         "event_on", "completed_on", "first_completed_on", "created_at", "document_id",
         "parent_id"],
    )  # fmt: skip
    assigns = _Copy(
        cur,
        "tasks_taskassignment",
        ["id", "role", "printed_name", "position", "task_id", "unit_id"],
    )
    tracks = _Copy(
        cur, "tasks_tasktrack", ["id", "completed_on", "percent", "task_id", "unit_id", "via_id"]
    )
    track_rows: list[tuple[int, int, int, dt.date | None]] = []  # id, task, unit, done
    recurring: set[int] = set()  # tasks judged per occurrence
    aid = tid = 0
    for task_id in range(1, size.tasks + 1):
        doc = (task_id - 1) // size.tasks_per_document + 1
        doc = min(doc, n_docs)
        position = (task_id - 1) % size.tasks_per_document + 1
        if doc == n_docs and task_id > n_docs * size.tasks_per_document:
            position = task_id  # the remainder lands on the last document
        phrase = rng.choice(phrases)
        deadline = parsed[phrase]
        if deadline.kind is DeadlineKind.RECURRING:
            recurring.add(task_id)
        parent = task_id - 1 if position > 1 and rng.random() < 0.15 else None
        title = f"{rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(QUALIFIERS)}".strip()
        collective = rng.random() < 0.01  # one task in a hundred goes to 14 provinces at once
        busy = rng.random() < 0.05  # the busy unit leads one task in twenty
        lead = region if collective else out.busy_unit if busy else rng.choice(leads)
        chosen = {lead}
        aid += 1
        assigns.add(aid, "lead", "", 0, task_id, lead)
        for pos in range(rng.choice((0, 1, 1, 2))):
            coord = rng.choice(leads)
            if coord in chosen:
                continue
            chosen.add(coord)
            aid += 1
            assigns.add(aid, "coordinate", "", pos + 1, task_id, coord)
        done_days: list[dt.date | None] = []
        for member in party_committees[:14] if collective else [lead]:
            done = None
            due = deadline.due_on
            if due is not None and rng.random() < (0.7 if due < today else 0.15):
                done = min(today, due + dt.timedelta(days=rng.randrange(-90, 40)))
            tid += 1
            percent = 100 if done else rng.choice((0, 20, 50, 80))
            tracks.add(tid, done, percent, task_id, member, region if collective else None)
            track_rows.append((tid, task_id, member, done))
            done_days.append(done)
        # The task's completion as tasks.services.task_completion_refresh stores it.
        complete = all(d is not None for d in done_days)
        last = max(d for d in done_days if d) if complete else None
        first = min(d for d in done_days if d) if complete else None
        tasks.add(
            task_id, f"{position}", position, title, "", phrase, deadline.kind.value,
            deadline.due_on, deadline.starts_on,
            deadline.recurrence.value if deadline.recurrence else "", deadline.normalized,
            deadline.reason, None, last, first, now, doc, parent,
        )  # fmt: skip
    tasks.flush()
    assigns.flush()
    tracks.flush()
    out.counts.update(tasks=tasks.total, assignments=assigns.total, tracks=tracks.total)

    # ---------------------------------------------------------------- progress reports
    reports = _Copy(
        cur,
        "tasks_progressreport",
        ["id", "period_year", "period_quarter", "state", "percent", "narrative", "completed_on",
         "return_reason", "submitted_at", "decided_at", "version", "created_at", "updated_at",
         "author_id", "decided_by_id", "track_id"],
    )  # fmt: skip
    quarters = [(y, q) for y in range(2023, today.year + 1) for q in range(1, 5)]
    quarters = [(y, q) for y, q in quarters if dt.date(y, 3 * q - 2, 1) <= today]
    per_track = max(1, min(len(quarters), round(size.reports / len(track_rows))))
    rid = 0
    for track_id, task_id, unit_id, _done in track_rows:
        # A recurring duty is judged per occurrence, by the report of each occurrence's
        # closing quarter: its tracks report every quarter, most of them done (100% with a
        # completion date), so some duties have met every occurrence and some have not.
        every = task_id in recurring
        for year, quarter in quarters if every else quarters[-per_track:]:
            if rid >= size.reports and not every:
                break
            rid += 1
            state = rng.choices(("approved", "submitted", "draft", "returned"), (6, 2, 1, 1))[0]
            percent = rng.choice((10, 30, 50, 70, 90))
            completed = None
            if every and rng.random() < 0.85:
                state, percent = "approved", 100
                completed = min(today, quarter_end(year, quarter) - dt.timedelta(rng.randrange(60)))
            reports.add(
                rid, year, quarter, state, percent,
                f"Đã triển khai {percent}% khối lượng công việc quý {quarter}/{year}.", completed,
                "", now if state != "draft" else None,
                now if state in ("approved", "returned") else None, 1, now, now,
                user_of.get(unit_id, out.author_id), None, track_id,
            )  # fmt: skip
    reports.flush()
    out.counts["reports"] = reports.total

    # ---------------------------------------------------------------- reminder records
    reminders = _Copy(
        cur,
        "notifications_reminder",
        ["id", "key", "kind", "channel", "due_on", "offset_days", "days_left", "scan_date",
         "status", "attempts", "last_error", "claim", "sent_at", "emailed", "read_at",
         "created_at", "recipient_id", "task_id", "track_id", "unit_id"],
    )  # fmt: skip
    offsets = (30, 14, 7, 1)
    for rem_id in range(1, size.reminders + 1):
        track_id, task_id, unit_id, _done = track_rows[rem_id % len(track_rows)]
        offset = offsets[rem_id % 4]
        due = today - dt.timedelta(days=30 + rem_id % 900)
        recipient = user_of.get(unit_id, out.author_id)
        kind = "due_soon" if rem_id % 3 else "overdue"
        reminders.add(
            rem_id, f"{kind}:t{track_id}:{due.isoformat()}:{offset}:u{recipient}:h{rem_id}",
            kind, "immediate", due, offset, offset, due - dt.timedelta(days=offset), "sent", 1,
            "", "", now, True, now if rem_id % 2 else None, now, recipient, task_id, track_id,
            unit_id,
        )  # fmt: skip
    reminders.flush()
    out.counts["reminders"] = reminders.total

    for table in (
        "accounts_unit", "accounts_user", "accounts_membership", "documents_document",
        "documents_document_monitors", "tasks_task", "tasks_taskassignment", "tasks_tasktrack",
        "tasks_progressreport", "notifications_reminder",
    ):  # fmt: skip
        cur.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
            f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
        )
    conn.commit()
    return out
