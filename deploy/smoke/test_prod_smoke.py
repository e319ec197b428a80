"""`make prod-smoke`: the processes docker-compose.yml runs, started here without Docker, and a
short journey through them in Chromium over HTTPS.

Caddy (Debian's package, deploy/Caddyfile, its local CA) -> gunicorn (deploy/gunicorn.conf.py,
DEBUG=False) -> PostgreSQL (a fresh SMOKE_DATABASE_URL, migrated and seeded with seed_demo),
plus a Celery worker and beat on SMOKE_REDIS_URL. Everything listens on 127.0.0.1 only and is
stopped when the module ends, whatever happened.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
BIN = Path(PYTHON).parent
CHROMIUM = os.environ.get("PLAYWRIGHT_CHROMIUM_EXECUTABLE", "/usr/bin/chromium")
DATABASE_URL = os.environ.get(
    "SMOKE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_smoke"
)
REDIS_URL = os.environ.get("SMOKE_REDIS_URL", "redis://127.0.0.1:6379/15")
DEMO_PASSWORD = "DemoPortal@2026"  # portal.seed.DEMO_PASSWORD, for the accounts seed_demo makes
TIMEOUT = 90

pytestmark = pytest.mark.prod


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fresh_database(url: str) -> None:
    import psycopg2
    from psycopg2 import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    conn = psycopg2.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username,
        password=parts.password,
        dbname="postgres",
    )
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    conn.close()


@dataclass
class Stack:
    base: str
    web_port: int
    tmp: Path
    env: dict[str, str]
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def log(self, name: str) -> str:
        return (self.tmp / f"{name}.log").read_text(errors="replace")

    def run(self, *args: str, **env: str) -> None:
        result = subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, f"manage.py {args}:\n{result.stdout}\n{result.stderr}"

    def start(self, name: str, argv: list[str], **env: str) -> None:
        with open(self.tmp / f"{name}.log", "wb") as log:
            self.processes[name] = subprocess.Popen(
                argv,
                cwd=ROOT,
                env={**self.env, **env},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopped with its children
            )

    def stop(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.stop(name)

    def get(self, path: str, *, through_proxy: bool = True) -> tuple[int, bytes, dict[str, str]]:
        if through_proxy:
            url, context = self.base + path, ssl._create_unverified_context()  # noqa: S323
            headers = {}
        else:  # straight to gunicorn, as the container health check does
            url, context = f"http://127.0.0.1:{self.web_port}{path}", None
            headers = {"X-Forwarded-Proto": "https"}
        request = urllib.request.Request(url, headers={"Accept": "application/json", **headers})
        try:
            with urllib.request.urlopen(request, timeout=20, context=context) as response:
                return response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read(), dict(exc.headers)

    def wait_until(self, condition, what: str, timeout: float = TIMEOUT) -> None:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    pytest.fail(
                        f"{name} exited while waiting for {what}:\n{self.log(name)[-3000:]}"
                    )
            try:
                if condition():
                    return
            except OSError:
                pass
            time.sleep(0.5)
        logs = "\n".join(f"--- {n}\n{self.log(n)[-2000:]}" for n in self.processes)
        pytest.fail(f"timed out waiting for {what}\n{logs}")


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[Stack]:  # type: ignore[no-untyped-def]
    for tool in ("caddy", CHROMIUM):
        if not shutil.which(tool) and not Path(tool).exists():
            pytest.fail(f"{tool} is missing (apt-get install caddy chromium)")
    tmp = tmp_path_factory.mktemp("prod-smoke")
    web_port, https_port, http_port = free_port(), free_port(), free_port()
    base = f"https://127.0.0.1:{https_port}"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTEST", "CELERY_", "DATABASE_", "REDIS_"))
    }
    env.update(
        DEBUG="False",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        CSRF_TRUSTED_ORIGINS=base,
        SITE_URL=base,
        DATABASE_URL=DATABASE_URL,
        CELERY_BROKER_URL=REDIS_URL,
        REDIS_URL=REDIS_URL,
        EMAIL_URL="consolemail://",
        MEDIA_ROOT=str(tmp / "media"),
        STATIC_ROOT=str(tmp / "static"),
        TRUSTED_PROXIES="127.0.0.1/32",
        LOG_FORMAT="json",
        DJANGO_SETTINGS_MODULE="portal.settings",
        PATH=f"{BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}",
    )
    stack = Stack(base=base, web_port=web_port, tmp=tmp, env=env)
    try:
        # what the compose file's `migrate` does, then the demo data (accounts need DEBUG)
        fresh_database(DATABASE_URL)
        stack.run("migrate", "--noinput")
        stack.run("seed_demo", DEBUG="True")
        stack.run("collectstatic", "--noinput")
        # web, worker, beat, proxy: the compose file's commands
        stack.start(
            "web",
            [
                str(BIN / "gunicorn"),
                "portal.wsgi:application",
                "--config",
                "deploy/gunicorn.conf.py",
            ],
            GUNICORN_BIND=f"127.0.0.1:{web_port}",
            WEB_CONCURRENCY="2",
        )
        celery = [str(BIN / "celery"), "-A", "portal"]
        stack.start(
            "worker", [*celery, "worker", "--loglevel=INFO", "--concurrency=1", "-n", "smoke@%h"]
        )
        stack.start("beat", [*celery, "beat", "--loglevel=INFO", f"--schedule={tmp}/beat-schedule"])
        stack.start(
            "proxy",
            ["caddy", "run", "--adapter", "caddyfile", "--config", "deploy/Caddyfile"],
            SITE_ADDRESS=base,
            HTTPS_PORT=str(https_port),
            HTTP_PORT=str(http_port),
            CADDY_BIND="127.0.0.1",
            CADDY_ADMIN="off",
            UPSTREAM=f"127.0.0.1:{web_port}",
            XDG_DATA_HOME=str(tmp / "caddy-data"),
            XDG_CONFIG_HOME=str(tmp / "caddy-config"),
            HOME=str(tmp),
        )
        stack.wait_until(lambda: stack.get("/healthz")[0] == 200, "the site through Caddy")
        yield stack
    finally:
        stack.stop_all()


def test_https_serves_the_site_with_security_headers_and_a_request_id(stack):
    status, _, headers = stack.get("/dang-nhap/")
    assert status == 200, status
    assert "max-age=31536000" in headers["Strict-Transport-Security"]
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert re.fullmatch(r"[0-9a-f-]{36}", headers["X-Request-Id"])  # Caddy's id reached Django


def test_the_full_status_reports_database_redis_and_the_worker(stack):
    def healthy() -> bool:
        return stack.get("/health/?format=json")[0] == 200

    stack.wait_until(healthy, "every check on /health/ to pass")
    status, body, _ = stack.get("/health/?format=json")
    checks = json.loads(body)
    assert status == 200, checks
    names = " ".join(checks)
    for wanted in ("Database", "Redis", "Ping", "Storage"):
        assert wanted in names, checks
    assert set(checks.values()) == {"OK"}


def test_a_person_signs_in_reports_the_leader_approves_and_swagger_renders(stack, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            context = browser.new_context(ignore_https_errors=True, locale="vi-VN")
            page = context.new_page()
            page.set_default_timeout(30_000)
            csp_errors: list[str] = []
            page.on(
                "console",
                lambda m: (
                    csp_errors.append(m.text) if "Content Security Policy" in m.text else None
                ),
            )

            def sign_in(username: str) -> None:
                page.goto(f"{stack.base}/dang-nhap/")
                page.get_by_label("Tên đăng nhập").fill(username)
                page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
                page.get_by_role("button", name="Đăng nhập").click()
                page.get_by_role("button", name="Đăng xuất").wait_for()

            # an officer finds her task and submits a progress report
            sign_in("laichau.canbo")
            page.get_by_label("Tìm kiếm (không cần dấu)").fill("quy hoach tinh lai chau")
            page.get_by_role("button", name="Lọc").click()
            page.get_by_role(
                "link", name=re.compile("Tổ chức triển khai thực hiện Quy hoạch tỉnh Lai Châu")
            ).click()
            page.wait_for_url(re.compile(r"/nhiem-vu/\d+/$"))
            task_url = page.url
            pdf = tmp_path / "bien-ban.pdf"
            pdf.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
            form = page.locator("form[action*='/bao-cao/']").first
            form.get_by_label("Tỷ lệ hoàn thành (%)").fill("60")
            form.get_by_label("Kết quả thực hiện").fill("Đã trình HĐND tỉnh.")
            form.get_by_label("Minh chứng (PDF, Word, Excel, ảnh)").set_input_files(str(pdf))
            form.get_by_role("button", name="Lưu và gửi duyệt").click()
            page.get_by_text("Đã gửi báo cáo để lãnh đạo đơn vị duyệt.").wait_for()
            assert page.get_by_role("link", name="bien-ban.pdf").is_visible()
            page.get_by_role("button", name="Đăng xuất").click()
            # her leader approves it
            sign_in("laichau.lanhdao")
            page.goto(task_url)
            page.get_by_role("button", name="Duyệt báo cáo").click()
            page.get_by_text("Đã duyệt báo cáo.").wait_for()
            # Swagger UI renders under the CSP (no inline script) and lists the API
            page.goto(f"{stack.base}/api/docs/")
            page.locator(".swagger-ui .info .title").wait_for()
            assert "API Cổng theo dõi" in page.locator(".swagger-ui .info .title").inner_text()
            page.locator(".opblock-summary-path", has_text="/api/v1/tasks/").first.wait_for()
            assert csp_errors == []
        finally:
            browser.close()


def test_a_stopped_worker_fails_the_status_page_but_not_liveness(stack):
    stack.stop("worker")
    stack.wait_until(lambda: stack.get("/health/?format=json")[0] == 500, "the status to fail")
    status, body, _ = stack.get("/health/?format=json")
    assert status == 500
    failing = {name for name, result in json.loads(body).items() if result != "OK"}
    assert len(failing) == 1 and "Ping" in failing.pop()
    # the container health check (straight to gunicorn) and the proxy still say alive
    assert stack.get("/healthz", through_proxy=False)[0] == 200
    assert stack.get("/healthz")[0] == 200
