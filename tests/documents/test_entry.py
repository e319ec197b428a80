"""Document entry by a secretariat: the number parsed live and refused with reasons, the
documents it implements, the signed file, edits kept in history, who may enter what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.choices import Role, UnitKind
from accounts.models import Membership, User
from accounts.services import unit_upsert
from documents.models import Document, DocumentRelation
from documents.services import document_upsert


@pytest.fixture
def units(db):
    tw, _ = unit_upsert(key="bct", name="Bộ Chính trị", kind=UnitKind.PARTY_CENTRAL)
    btc, _ = unit_upsert(key="btc", name="Bộ Tài chính", kind=UnitKind.MINISTRY)
    lc, _ = unit_upsert(key="lc", name="Tỉnh Lai Châu", kind=UnitKind.PROVINCE)
    tu, _ = unit_upsert(key="tu-lc", name="Tỉnh ủy Lai Châu", kind="provincial_party", province=lc)
    ubnd, _ = unit_upsert(
        key="ubnd-lc",
        name="Ủy ban nhân dân tỉnh Lai Châu",
        kind="provincial_government",
        province=lc,
    )
    stc, _ = unit_upsert(
        key="stc-lc",
        name="Sở Tài chính tỉnh Lai Châu",
        kind=UnitKind.PROVINCIAL_DEPARTMENT,
        province=lc,
    )
    nq11, _ = document_upsert(
        slug="11-nq-tw",
        kind="NQ",
        title="Nghị quyết về phát triển vùng trung du và miền núi Bắc Bộ",
        issuer=tw,
        number="11-NQ/TW",
        issued_on=dt.date(2022, 2, 10),
        is_stub=True,
    )
    return {"tw": tw, "btc": btc, "lc": lc, "tu": tu, "ubnd": ubnd, "stc": stc, "nq11": nq11}


def _user(name, unit, role=Role.SECRETARIAT):
    user = User.objects.create(username=name)
    Membership.objects.create(user=user, unit=unit, role=role)
    return user


def _post(client, units, **overrides):
    data = {
        "number": "30-KH/TU",
        "kind": "",
        "issuer": units["tu"].pk,
        "title": "Kế hoạch thực hiện Nghị quyết 11-NQ/TW giai đoạn 2023-2025",
        "issued_on": "05/01/2023",
        "signer_title": "T/M Ban Thường vụ",
        "signer": "Giàng Páo Mỷ",
        "horizon": "đến năm 2025",
        "horizon_year": "2025",
        "implements": [units["nq11"].pk],
    }
    data.update(overrides)
    return client.post(reverse("document-create"), data)


def test_a_secretariat_enters_a_plan_that_implements_11_nq_tw(client, units):
    client.force_login(_user("vp.tu", units["tu"]))
    assert client.get(reverse("document-create")).status_code == 200
    response = _post(client, units)
    doc = Document.objects.get(number="30-KH/TU")
    assert response.status_code == 302
    assert response["Location"] == reverse("document-detail", args=[doc.slug])
    assert (doc.kind, doc.slug, doc.issued_on, doc.province) == (
        "KH",
        "30-kh-tu",
        dt.date(2023, 1, 5),
        units["lc"],
    )
    assert DocumentRelation.objects.filter(
        source=doc, target=units["nq11"], kind="implements"
    ).exists()
    # the plan is below 11-NQ/TW in the chain
    detail = client.get(reverse("document-detail", args=["11-nq-tw"])).content.decode()
    assert "30-KH/TU" in detail


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"number": "KH-30/TU"}, "không đúng dạng"),
        ({"number": "09/2019/NĐ-CP", "issued_on": "05/01/2023"}, "Năm trong số hiệu (2019)"),
        ({"number": "30-KH/TU", "kind": "NQ"}, "không khớp loại văn bản"),
        ({"issued_on": "2023-13-01"}, "dd/mm/yyyy"),
        ({"number": "", "kind": ""}, "Hãy chọn loại văn bản"),
    ],
)
def test_refusals_are_explained(client, units, overrides, message):
    client.force_login(_user("vp.tu", units["tu"]))
    response = _post(client, units, **overrides)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Document.objects.filter(issuer=units["tu"]).exists()


def test_a_number_entered_twice_is_refused(client, units):
    client.force_login(_user("vp.tu", units["tu"]))
    _post(client, units)
    response = _post(client, units, number="30 - kh / tu")
    assert response.status_code == 400 and "Đã có văn bản số 30-KH/TU" in response.content.decode()


def test_the_live_parse_of_a_number(client, units):
    client.force_login(_user("vp.tu", units["tu"]))
    url = reverse("document-number-preview")
    ok = client.get(url, {"number": "số 09/2019/nđ-cp"}).content.decode()
    assert "Nghị định" in ok and "09/2019/NĐ-CP" in ok and "năm 2019" in ok
    party = client.get(url, {"number": "26-CTr/TU"}).content.decode()
    assert "Chương trình hành động" in party and "văn bản của Đảng" in party
    assert "không đúng dạng" in client.get(url, {"number": "26/TU"}).content.decode()


def test_documents_are_found_by_number_or_unaccented_words(client, units):
    client.force_login(_user("vp.tu", units["tu"]))
    url = reverse("document-search")
    assert "11-NQ/TW" in client.get(url, {"q": "11-nq/tw"}).content.decode()
    assert "11-NQ/TW" in client.get(url, {"q": "mien nui bac bo"}).content.decode()


def test_who_may_enter_for_which_unit(client, units):
    officer = _user("cb.tu", units["tu"], Role.OFFICER)
    client.force_login(officer)
    assert client.get(reverse("document-create")).status_code == 403
    # a provincial secretariat enters for its province's departments, not for a ministry
    client.force_login(_user("vp.ubnd", units["ubnd"]))
    assert _post(client, units, issuer=units["stc"].pk, number="12/KH-STC").status_code == 302
    refused = _post(client, units, issuer=units["btc"].pk, number="13/KH-BTC")
    assert refused.status_code == 400
    assert not Document.objects.filter(issuer=units["btc"]).exists()


def test_an_edit_is_kept_in_history_and_the_signed_file_is_checked(
    client, units, settings, tmp_path
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    client.force_login(_user("vp.tu", units["tu"]))
    _post(client, units)
    doc = Document.objects.get(number="30-KH/TU")
    url = reverse("document-edit", args=[doc.slug])
    assert client.get(url).status_code == 200
    fake = SimpleUploadedFile("ke-hoach.pdf", b"<html><script>alert(1)</script></html>")
    data = {
        "number": "30-KH/TU",
        "issuer": units["tu"].pk,
        "title": "Kế hoạch (sửa)",
        "issued_on": "05/01/2023",
        "implements": [units["nq11"].pk],
        "attachment": fake,
    }
    assert client.post(url, data).status_code == 400
    data["attachment"] = SimpleUploadedFile("ke-hoach.pdf", b"%PDF-1.4\n%%EOF\n")
    assert client.post(url, data).status_code == 302
    doc.refresh_from_db()
    assert doc.title == "Kế hoạch (sửa)" and doc.attachment_name == "ke-hoach.pdf"
    assert doc.history.count() >= 2
    assert doc.history.filter(
        title="Kế hoạch thực hiện Nghị quyết 11-NQ/TW giai đoạn 2023-2025"
    ).exists()
    download = client.get(reverse("document-attachment", args=[doc.slug]))
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
