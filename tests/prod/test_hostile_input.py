"""Hostile input gets a 4xx and costs little: deep or huge JSON, oversized uploads, unknown
API URLs; signed-in responses are never cached."""

from __future__ import annotations

import json
import tracemalloc

import pytest
from django.core.handlers.wsgi import WSGIRequest
from rest_framework.test import APIClient

from accounts.models import User
from portal.uploads import UploadTooLarge

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(db):
    return User.objects.create_user("hostile.canbo", password="x-123456789")


@pytest.fixture
def api(officer):
    client = APIClient()
    client.force_authenticate(officer)
    return client


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [33, 1_000, 100_000])
def test_deeply_nested_json_is_a_400_in_the_error_format(api, depth):
    response = api.post(
        "/api/v1/deadlines/parse/", data=nested(depth), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert "lồng quá sâu" in response.json()["error"]["message"]


def test_json_within_the_depth_limit_still_parses(api):
    body = {"text": "Quý II/2022", "issued_on": "2022-02-10", "x": json.loads(nested(20))}
    response = api.post("/api/v1/deadlines/parse/", data=body, format="json")
    assert response.status_code == 200
    assert response.json()["due_on"] == "2022-06-30"


def test_a_json_body_over_the_memory_limit_is_a_413_read_no_further(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = json.dumps({"text": "x" * 20_000})
    response = api.post("/api/v1/deadlines/parse/", data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/api/v1/khong-co/"), ("get", "/api/v2/tasks/"), ("post", "/api/nothing")],
)
def test_routing_errors_under_api_answer_the_error_format(api, method, path):
    response = getattr(api, method)(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "error": {"code": "not_found", "message": "Không có địa chỉ này trong API.", "fields": {}}
    }


def test_pages_outside_the_api_keep_their_html_404(client, officer):
    client.force_login(officer)
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


def test_signed_in_responses_and_token_calls_are_not_stored(client, officer):
    client.force_login(officer)
    assert "no-store" in client.get("/viec-cua-toi/")["Cache-Control"]
    assert "no-store" in client.get("/api/v1/units/")["Cache-Control"]
    from accounts.services import api_token_create

    _, key = api_token_create(user=officer, name="cli")
    token_response = APIClient().get("/api/v1/units/", HTTP_AUTHORIZATION=f"Token {key}")
    assert token_response.status_code == 200
    assert "no-store" in token_response["Cache-Control"]


class TrickleInput:
    """A request body produced 64 KB at a time, never held whole; counts what was read."""

    def __init__(self, head: bytes, size: int, tail: bytes) -> None:
        self.parts = [head]
        self.remaining = size
        self.tail = tail
        self.read_bytes = 0

    def read(self, n: int = -1) -> bytes:
        if self.parts:
            chunk = self.parts.pop(0)
        elif self.remaining > 0:
            take = min(self.remaining, 65536 if n < 0 else min(n, 65536))
            self.remaining -= take
            chunk = b"0" * take
        else:
            chunk, self.tail = self.tail, b""
        self.read_bytes += len(chunk)
        return chunk

    readline = read


def multipart_request(size: int) -> tuple[WSGIRequest, TrickleInput]:
    boundary = "BoUnDaRy"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="f"; filename="lon.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n%PDF-1.4\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    stream = TrickleInput(head, size, tail)
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": stream,
        "CONTENT_TYPE": f"multipart/form-data; boundary={boundary}",
        "CONTENT_LENGTH": str(len(head) + size + len(tail)),
    }
    return WSGIRequest(environ), stream


@pytest.mark.parametrize("size", [25 * 1024 * 1024, 400 * 1024 * 1024])
def test_an_oversized_upload_stops_at_the_limit_in_bounded_memory(settings, size):
    settings.REQUEST_BODY_MAX_BYTES = 10**10  # only the per-file limit is tested here
    request, stream = multipart_request(size)
    tracemalloc.start()
    try:
        with pytest.raises(UploadTooLarge, match="Tệp quá lớn: tối đa 20 MB"):
            request.FILES  # noqa: B018
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert settings.EVIDENCE_MAX_BYTES == 20 * 1024 * 1024  # the limit is unchanged
    assert stream.read_bytes < settings.EVIDENCE_MAX_BYTES + 1024 * 1024  # stopped early
    assert peak < 4 * 1024 * 1024  # chunks, not the file


def test_a_body_announced_over_the_request_cap_is_refused_before_reading(settings):
    request, stream = multipart_request(60 * 1024 * 1024)
    with pytest.raises(UploadTooLarge, match="Yêu cầu quá lớn"):
        request.FILES  # noqa: B018
    assert stream.read_bytes == 0


def test_an_upload_within_the_limit_is_on_disk_not_in_memory(settings):
    request, _ = multipart_request(3 * 1024 * 1024)
    uploaded = request.FILES["f"]
    assert uploaded.size == 3 * 1024 * 1024 + len(b"%PDF-1.4\n")
    assert hasattr(uploaded, "temporary_file_path")


def test_an_oversized_file_posted_to_a_page_gets_a_400_page_saying_which_limit(client):
    big = b"%PDF-1.4\n" + b"0" * (21 * 1024 * 1024)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        "/dang-nhap/", {"username": "x", "f": SimpleUploadedFile("lon.pdf", big)}
    )
    assert response.status_code == 400
    assert "Tệp quá lớn: tối đa 20 MB mỗi tệp." in response.content.decode()
