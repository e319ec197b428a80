import pytest
from django.test import Client

from accounts.models import User

URL = "/api/v1/deadlines/parse/"


@pytest.fixture
def signed_in(db):
    user = User.objects.create_user("canbo", password="x-pass-123456")
    client = Client()
    client.force_login(user)
    return client


def test_anonymous_callers_are_refused(client, db):
    response = client.post(URL, {"text": "Quý II/2022"}, content_type="application/json")
    assert response.status_code in (401, 403)
    assert "error" in response.json()


@pytest.mark.parametrize(
    ("text", "issued_on", "expected"),
    [
        (
            "Hoàn thành trong quý II năm 2022",
            None,
            {"kind": "date", "due_on": "2022-06-30", "starts_on": None, "recurrence": None},
        ),
        (
            "Hoàn thành trong tháng 4 năm 2022",
            None,
            {"kind": "date", "due_on": "2022-04-30", "starts_on": None, "recurrence": None},
        ),
        (
            "2022-2025",
            None,
            {
                "kind": "period",
                "due_on": "2025-12-31",
                "starts_on": "2022-01-01",
                "recurrence": None,
            },
        ),
        ("Hằng năm", None, {"kind": "recurring", "due_on": None, "recurrence": "yearly"}),
        (
            "Sau khi Thủ tướng Chính phủ phê duyệt",
            None,
            {"kind": "event", "due_on": None, "recurrence": None},
        ),
        ("Hoàn thành trong quý IV", "2022-12-28", {"kind": "date", "due_on": "2022-12-31"}),
        ("Trước ngày 31/02/2026", None, {"kind": "unknown", "due_on": None}),
        ("tháng 13 năm 2022", None, {"kind": "unknown", "due_on": None}),
    ],
)
def test_parse_endpoint(signed_in, text, issued_on, expected):
    body = {"text": text}
    if issued_on:
        body["issued_on"] = issued_on
    response = signed_in.post(URL, body, content_type="application/json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert {k: data[k] for k in expected} == expected
    assert set(data) >= {"kind", "due_on", "starts_on", "recurrence", "normalized"}


def test_bad_date_is_a_clear_400(signed_in):
    response = signed_in.post(
        URL, {"text": "Quý II", "issued_on": "31/02/2026"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "issued_on" in response.json()["error"]["fields"]
