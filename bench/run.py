"""`make bench [SIZE=small]`: build a synthetic data set on PostgreSQL, serve the portal with
gunicorn on loopback, measure, write ``bench/results/<date>.json`` and print a Markdown table.

Timings are reported, never asserted. See bench/__init__.py for how to read the results.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg2
import requests

from bench import data
from tasks.deadlines import REASON_EMPTY

ROOT = Path(__file__).resolve().parent.parent
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
DB = "portal_bench"
SEED_DB = "portal_bench_seed"
BROKER = "redis://127.0.0.1:6379/12"
CELERY_BUDGET_S = 180  # the worker's scan and sends are measured for at most this long
SECRET = "bench-only-secret-key-not-for-production-0123456789abcdefghijklmnop"  # noqa: S105


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- helpers


def pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p * len(ordered)) - 1)]


def ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 2)


def db_url(name: str) -> str:
    return f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{name}"


def recreate_database(name: str) -> None:
    conn = psycopg2.connect(dbname="postgres", **PG)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def drop_database(name: str) -> None:
    conn = psycopg2.connect(dbname="postgres", **PG)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.close()


def django_env(database: str, static_root: str, *, debug: bool) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        DATABASE_URL=db_url(database),
        DEBUG="True" if debug else "False",
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECURE_SSL_REDIRECT="False",
        STATIC_ROOT=static_root,
        API_THROTTLE_RATE="1000000/min",  # the load would otherwise meet the 1200/min limit
        TWO_FACTOR_REQUIRED="False",  # the reviewer's pages are measured, not its TOTP step
        CELERY_BROKER_URL="",  # eager unless a step sets the broker
        REDIS_URL="",
        EMAIL_URL="dummymail://",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    return env


def run(cmd: list[str], env: dict[str, str], timeout: float = 1800) -> tuple[float, str]:
    """Run a command in the project directory; (seconds, stdout). Fails loudly."""
    started = time.perf_counter()
    proc = subprocess.run(
        cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stderr[-3000:]}")
    return seconds, proc.stdout


def step(name: str, env: dict[str, str], *args: str) -> dict[str, Any]:
    _, out = run([sys.executable, "-m", "bench.steps", name, *args], env)
    return json.loads(out.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def vm_hwm_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def machine() -> dict[str, Any]:
    mem_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kb = int(line.split()[1])
    conn = psycopg2.connect(dbname="postgres", **PG)
    with conn.cursor() as cur:
        cur.execute("SHOW server_version")
        pg_version = cur.fetchone()[0]
    conn.close()
    return {
        "nproc": os.cpu_count(),
        "memory_mb": mem_kb // 1024,
        "postgresql": pg_version,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


# --------------------------------------------------------------------------- load


Fetch = Callable[[Any], int]


def _burst(fetch: Fetch, clients: list[Any], total: int, budget: float) -> dict[str, Any]:
    """``total`` calls of ``fetch`` spread over one thread per client (clients made before
    the timing: sessions, connections); no new call starts after ``budget`` seconds."""
    latencies: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()
    remaining = [total]
    stop_at = time.monotonic() + budget

    def worker(client: Any) -> None:
        while True:
            with lock:
                if remaining[0] <= 0 or time.monotonic() > stop_at:
                    return
                remaining[0] -= 1
            started = time.perf_counter()
            try:
                code = fetch(client)
            except (requests.RequestException, psycopg2.Error):
                code = -1
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if code != 200:
                    errors.append(code)

    threads = [threading.Thread(target=worker, args=(c,), daemon=True) for c in clients]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=900)
    return {"latencies": latencies, "errors": errors, "wall": time.perf_counter() - started}


def _summary(bursts: list[dict[str, Any]], concurrency: int, budget: float) -> dict[str, Any]:
    latencies = [v for b in bursts for v in b["latencies"]]
    errors = [v for b in bursts for v in b["errors"]]
    wall = sum(b["wall"] for b in bursts)
    return {
        "concurrency": concurrency,
        "requests": len(latencies),
        "errors": len(errors),
        "error_codes": sorted(set(errors)),
        "p50_ms": ms(pct(latencies, 0.50)),
        "p95_ms": ms(pct(latencies, 0.95)),
        "rps": round(len(latencies) / wall, 1) if wall else None,
        "budget_seconds": budget,
        "rounds": len(bursts),
    }


def load(fetch: Fetch, total: int, concurrency: int, budget: float) -> dict[str, Any]:
    """One contender alone: latency percentiles, throughput and the non-200 count."""
    clients = [requests.Session() for _ in range(concurrency)]
    return _summary([_burst(fetch, clients, total, budget)], concurrency, budget)


def interleaved(
    contenders: dict[str, tuple[Fetch, Callable[[], Any]]],
    total: int,
    concurrency: int,
    budget: float,
    rounds: int = 4,
) -> dict[str, dict[str, Any]]:
    """Contenders measured in the same minutes: ``rounds`` rounds, each giving every
    contender (in a rotated order) a share of its requests and its time budget, so a noisy
    neighbour on the shared cores hits all of them alike. Every client (HTTP session,
    database connection) exists before the first round; nothing is spawned while timing."""
    clients = {name: [make() for _ in range(concurrency)] for name, (_, make) in contenders.items()}
    bursts: dict[str, list[dict[str, Any]]] = {name: [] for name in contenders}
    names = list(contenders)
    for round_no in range(rounds):
        order = names[round_no % len(names) :] + names[: round_no % len(names)]
        for name in order:
            fetch = contenders[name][0]
            share = max(2 * concurrency, math.ceil(total / rounds))
            bursts[name].append(_burst(fetch, clients[name], share, budget / rounds))
    for made in clients.values():
        for client in made:
            client.close()
    return {name: _summary(b, concurrency, budget) for name, b in bursts.items()}


# --------------------------------------------------------------------------- raw SQL baseline

# The best single statement the schema allows for the API's page (the busy unit's overdue
# tasks, 50 by due date, with the count): written by hand, the same set as the API. The
# lead assignment rows hold the task's stored open due date (``Task.open_due_on``, kept by
# ``tasks.services.open_due_refresh`` from the status rule): the unit's overdue tasks are one
# range of the partial index (unit, open_due_on, task) WHERE role = 'lead', read from the
# index alone; each task then probed by key for its due date (the API's order). One window
# count, then the JSON of the 50 rows only.
_MATCHED = """
WITH matched AS MATERIALIZED (
    SELECT t.id, t.due_on
      FROM tasks_taskassignment a JOIN tasks_task t ON t.id = a.task_id
     WHERE a.unit_id = %(unit)s AND a.role = 'lead' AND a.open_due_on < %(today)s
)"""
RAW_IDS = _MATCHED + "\nSELECT id FROM matched"
_PAGE = """, page AS (
    SELECT id, due_on, count(*) OVER () AS total
      FROM matched ORDER BY due_on ASC NULLS LAST, id LIMIT 50
)
SELECT p.total, t.id, t.ref, t.title, t.parent_id, t.implements_id, t.deadline_text,
       t.deadline_kind, t.due_on, t.starts_on, t.recurrence, t.deadline_normalized,
       t.deadline_note, t.completed_on, d.id, d.number, d.slug, d.title,
       (SELECT json_agg(json_build_object('id', u.id, 'name', u.name, 'role', a.role)
                        ORDER BY a.role, a.position)
          FROM tasks_taskassignment a JOIN accounts_unit u ON u.id = a.unit_id
         WHERE a.task_id = t.id),
       (SELECT json_agg(json_build_object('id', tr.id, 'unit_id', u.id, 'unit', u.name,
                                          'percent', tr.percent,
                                          'completed_on', tr.completed_on))
          FROM tasks_tasktrack tr JOIN accounts_unit u ON u.id = tr.unit_id
         WHERE tr.task_id = t.id)
  FROM page p JOIN tasks_task t ON t.id = p.id JOIN documents_document d ON d.id = t.document_id
 ORDER BY p.due_on ASC NULLS LAST, p.id"""
RAW_PAGE = _MATCHED + _PAGE


# The cross-check: the same set judged per occurrence, without the stored columns (the best
# statement before them). The lead unit's tasks come from the (unit, role, task) index, each
# probed by key; the OVERDUE condition is the domain's:
# dated tasks past their due date and open, events past the due date their recorded event
# set (a person records it: none is implied), tasks printed with no deadline past their
# document's horizon year, and
# recurring tasks judged per occurrence: the occurrences due before today of each distinct
# (phrase, start, rhythm, issue date, issue year, horizon year) are parameters, planned once
# by ``tasks.status_sql.task_schedule`` (``bench.steps recurring-overdue``); such a task is
# overdue when it has no track, or some track has no report of one of those occurrences'
# closing quarters approved before the cut-off, at 100% with a completion date (each probed
# through the report's (track, year, quarter) unique index).
_RULE_MATCHED = """
WITH rule AS (
    SELECT * FROM unnest(%(r_group)s::int[], %(r_text)s::varchar[], %(r_start)s::date[],
                         %(r_rec)s::varchar[], %(r_issued_on)s::date[],
                         %(r_issued_year)s::int[], %(r_horizon_year)s::int[])
           AS r(grp, deadline_text, starts_on, recurrence, issued_on, issued_year,
                horizon_year)
), occurrence AS (
    SELECT * FROM unnest(%(o_group)s::int[], %(o_year)s::int[], %(o_quarter)s::int[])
           AS o(grp, year, quarter)
), lead AS MATERIALIZED (
    SELECT a.task_id FROM tasks_taskassignment a WHERE a.unit_id = %(unit)s AND a.role = 'lead'
), matched AS MATERIALIZED (
    -- each lead task probed by its key (OFFSET 0 keeps the planner from hashing every
    -- overdue task of the country first)
    SELECT m.id, m.due_on FROM lead CROSS JOIN LATERAL (
        SELECT t.id, t.due_on FROM tasks_task t
         WHERE t.id = lead.task_id
           AND ((t.deadline_kind IN ('date', 'period') AND t.due_on < %(today)s
                 AND t.completed_on IS NULL)
                OR (t.deadline_kind = 'event' AND t.event_due_on < %(today)s
                    AND t.completed_on IS NULL)
                -- printed with no deadline: due at the end of the document's horizon year
                OR (t.deadline_kind = 'unknown' AND t.deadline_note = %(reason_empty)s
                    AND t.completed_on IS NULL
                    AND EXISTS (SELECT 1 FROM documents_document d
                                 WHERE d.id = t.document_id
                                   AND d.horizon_year < extract(year FROM %(today)s)))
                OR (t.deadline_kind = 'recurring' AND EXISTS (
                      SELECT 1 FROM documents_document d
                        JOIN rule r ON r.deadline_text = t.deadline_text
                                   AND r.recurrence = t.recurrence
                                   AND r.starts_on IS NOT DISTINCT FROM t.starts_on
                                   AND r.issued_on IS NOT DISTINCT FROM d.issued_on
                                   AND r.issued_year IS NOT DISTINCT FROM d.issued_year
                                   AND r.horizon_year IS NOT DISTINCT FROM d.horizon_year
                        JOIN occurrence o ON o.grp = r.grp
                       WHERE d.id = t.document_id
                         AND (NOT EXISTS (SELECT 1 FROM tasks_tasktrack tr
                                           WHERE tr.task_id = t.id)
                              OR EXISTS (
                                SELECT 1 FROM tasks_tasktrack tr
                                 WHERE tr.task_id = t.id
                                   AND NOT EXISTS (
                                     SELECT 1 FROM tasks_progressreport p
                                      WHERE p.track_id = tr.id AND p.period_year = o.year
                                        AND p.period_quarter = o.quarter
                                        AND p.state = 'approved' AND p.percent = 100
                                        AND p.completed_on IS NOT NULL
                                        AND COALESCE(p.decided_at, p.updated_at)
                                            < %(cutoff)s))))))
        OFFSET 0) m
)"""
RULE_IDS = _RULE_MATCHED + "\nSELECT id FROM matched"


def raw_params(unit: int, today: dt.date, recurring: dict[str, Any]) -> dict[str, Any]:
    """The statement's parameters; ``recurring`` is what ``bench.steps recurring-overdue``
    planned for ``today`` (its groups of past occurrences and the approval cut-off)."""
    groups = recurring["groups"]
    occurrences = [
        (g, year, quarter) for g, row in enumerate(groups) for year, quarter, _ in row[6]
    ]
    rule_columns = ("r_text", "r_start", "r_rec", "r_issued_on", "r_issued_year", "r_horizon_year")
    return {
        "unit": unit,
        "today": today,
        "reason_empty": REASON_EMPTY,
        "cutoff": dt.datetime.fromisoformat(recurring["cutoff"]),
        "r_group": list(range(len(groups))),
        **{name: [row[i] for row in groups] for i, name in enumerate(rule_columns)},
        **{
            name: [o[i] for o in occurrences]
            for i, name in enumerate(("o_group", "o_year", "o_quarter"))
        },
    }


def raw_connect() -> Any:
    return psycopg2.connect(dbname=DB, options="-c jit=off", **PG)  # as the portal connects


def raw_page(conn: Any, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    with conn.cursor() as cur:
        cur.execute(RAW_PAGE, params)
        return cur.fetchall()


def raw_explain(params: dict[str, Any]) -> dict[str, Any]:
    """The statement, its plan with timings and buffers, the ids it matches, and the ids
    the per-occurrence statement (``RULE_IDS``, no stored column) matches."""
    conn = raw_connect()
    try:
        with conn.cursor() as cur:
            cur.execute(RAW_IDS, params)
            ids = sorted(row[0] for row in cur.fetchall())
            cur.execute(RULE_IDS, params)
            rule_ids = sorted(row[0] for row in cur.fetchall())
            raw_page(conn, params)  # warm, like the measured runs
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + RAW_PAGE, params)
            plan = [row[0] for row in cur.fetchall()]
    finally:
        conn.close()
    return {"ids": ids, "rule_ids": rule_ids, "explain": plan, "statement": RAW_PAGE.strip()}


# --------------------------------------------------------------------------- the server


class Server:
    """gunicorn on 127.0.0.1, 2 sync workers, production settings."""

    def __init__(self, env: dict[str, str], workers: int = 2) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115  (closed in stop())
            "w+", prefix="bench-gunicorn-", suffix=".log"
        )
        self.proc = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "portal.wsgi:application",
                "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers),
                "--worker-class", "sync", "--timeout", "300", "--log-level", "warning",
            ],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.tail()}")
            try:
                if requests.get(self.base + "/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError("gunicorn did not answer /healthz within 60 s")

    def tail(self) -> str:
        self.log.seek(0)
        return self.log.read()[-3000:]

    def worker_hwm(self) -> list[float | None]:
        return [vm_hwm_mb(pid) for pid in sorted(children(self.proc.pid))]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()


HTTPS = {"X-Forwarded-Proto": "https"}  # behind the (absent) TLS proxy, as in production


def login(base: str, username: str, password: str, totp_key: str = "") -> str:
    """Sign in through /dang-nhap/ like a browser; returns the session id. The cookies are
    Secure in production mode, so they are carried by hand over loopback HTTP. A reviewer
    (``totp_key``: its authenticator's hex key) then gives the current code at
    /xac-thuc-hai-buoc/, as production requires of reviewers."""
    session = requests.Session()
    page = session.get(base + "/dang-nhap/", headers=HTTPS, timeout=30)
    csrf_cookie = page.cookies.get("csrftoken")
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    if not csrf_cookie or not match:
        raise RuntimeError("no CSRF token on /dang-nhap/")
    answer = requests.post(
        base + "/dang-nhap/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": match[1]},
        headers={
            **HTTPS,
            "Cookie": f"csrftoken={csrf_cookie}",
            "Referer": base.replace("http://", "https://") + "/dang-nhap/",
        },
        allow_redirects=False,
        timeout=30,
    )
    sessionid = answer.cookies.get("sessionid")
    if answer.status_code != 302 or not sessionid:
        raise RuntimeError(f"sign-in failed: {answer.status_code}")
    if totp_key:
        csrf_cookie = answer.cookies.get("csrftoken") or csrf_cookie
        sessionid = _second_factor(base, sessionid, csrf_cookie, totp_key)
    return sessionid


def _second_factor(base: str, sessionid: str, csrf_cookie: str, totp_key: str) -> str:
    from django_otp.oath import totp

    url = base + "/xac-thuc-hai-buoc/"
    cookies = f"sessionid={sessionid}; csrftoken={csrf_cookie}"
    page = requests.get(url, headers={**HTTPS, "Cookie": cookies}, timeout=30)
    csrf_cookie = page.cookies.get("csrftoken") or csrf_cookie
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    if page.status_code != 200 or not match:
        raise RuntimeError(f"no code form at /xac-thuc-hai-buoc/: {page.status_code}")
    answer = requests.post(
        url,
        data={"code": f"{totp(bytes.fromhex(totp_key)):06d}", "csrfmiddlewaretoken": match[1]},
        headers={
            **HTTPS,
            "Cookie": f"sessionid={sessionid}; csrftoken={csrf_cookie}",
            "Referer": url.replace("http://", "https://"),
        },
        allow_redirects=False,
        timeout=30,
    )
    if answer.status_code != 302:
        raise RuntimeError(f"two-factor code refused: {answer.status_code}")
    return answer.cookies.get("sessionid") or sessionid


# --------------------------------------------------------------------------- phases


# (name, path, account): "Việc của tôi" of the busy unit's officer; the overdue review of
# Ban Kinh tế Trung ương (every task in the country) and of a body monitoring 1 in 50.
PAGES = (
    ("my_tasks", "/viec-cua-toi/", "officer"),
    ("overdue_review", "/ra-soat-qua-han/", "reviewer"),
    ("overdue_review_monitor", "/ra-soat-qua-han/", "monitor"),
)


def _all_ids(base: str, path: str, headers: dict[str, str]) -> list[int]:
    """Every id a list endpoint answers, page by page (200 a page), before any timing."""
    ids: list[int] = []
    url: str | None = f"{base}{path}&page_size=200"
    while url:
        answer = requests.get(url, headers=headers, timeout=300)
        answer.raise_for_status()
        body = answer.json()
        ids += [row["id"] for row in body["results"]]
        following = body.get("next")  # absolute, https behind the proxy: keep path and query
        url = None
        if following:
            url = base + urlsplit(following)._replace(scheme="", netloc="").geturl()
    return sorted(ids)


def phase_web(
    env: dict[str, str],
    built: data.Built,
    account: dict[str, Any],
    size: data.Size,
    recurring: dict[str, Any],
) -> dict[str, Any]:
    today = dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=7))).date()
    out: dict[str, Any] = {}
    server = Server({**env, "DJANGO_SETTINGS_MODULE": "bench.settings"})
    try:
        query = f"?lead_unit={built.busy_unit}&status=overdue"
        api_path, peer_path = f"/api/v1/tasks/{query}", f"/bench/peer/tasks/{query}"
        api_url = f"{server.base}{api_path}&page_size=50"
        peer_url = f"{server.base}{peer_path}&page_size=50"
        api_headers = {**HTTPS, "Authorization": f"Token {account['token']}"}
        first = requests.get(api_url, headers=api_headers, timeout=300)
        first.raise_for_status()
        body = first.json()
        out["api_page"] = {
            "url": api_url.replace(server.base, ""),
            "count": body.get("count"),
            "rows": len(body.get("results", [])),
            "bytes": len(first.content),
        }
        peer_first = requests.get(peer_url, headers=api_headers, timeout=300)
        peer_first.raise_for_status()
        out["peer_page"] = {
            "url": peer_url.replace(server.base, ""),
            "count": peer_first.json().get("count"),
            "bytes": len(peer_first.content),
        }

        # The three answer the same question about the same tasks, or the run stops here.
        params = raw_params(built.busy_unit, today, recurring)
        raw = raw_explain(params)
        api_ids = _all_ids(server.base, api_path, api_headers)
        peer_ids = _all_ids(server.base, peer_path, api_headers)
        conn = raw_connect()
        raw_rows = raw_page(conn, params)
        conn.close()
        page_ids = [row["id"] for row in body["results"]]
        same = api_ids == raw["ids"] == peer_ids == raw["rule_ids"]
        if not same or page_ids != [r[1] for r in raw_rows]:
            only_api = sorted(set(api_ids) - set(raw["ids"]))[:20]
            only_raw = sorted(set(raw["ids"]) - set(api_ids))[:20]
            raise RuntimeError(
                f"the raw SQL, the API and the DRF peer disagree: API {len(api_ids)} tasks, "
                f"raw SQL {len(raw['ids'])}, peer {len(peer_ids)}, judged per occurrence "
                f"{len(raw['rule_ids'])} (differ: "
                f"{sorted(set(api_ids) ^ set(raw['rule_ids']))[:20]}); only in the API "
                f"{only_api}, only in the SQL {only_raw}; first page equal: "
                f"{page_ids == [r[1] for r in raw_rows]}"
            )
        out["same_tasks"] = {
            "count": len(api_ids),
            "api_equals_raw_sql_equals_peer": True,
            "equals_per_occurrence_statement": True,  # the stored date holds to the rule
        }
        out["raw_sql"] = {
            "count": raw_rows[0][0] if raw_rows else 0,
            "rows": len(raw_rows),
            "statement": raw["statement"],
            "explain_analyze_buffers": raw["explain"],
            "recurring_groups": len(recurring["groups"]),
            "recurring_occurrences": len(params["o_group"]),
        }

        def http(url: str) -> Fetch:
            def fetch(session: requests.Session) -> int:
                return session.get(url, headers=api_headers, timeout=300).status_code

            return fetch

        def sql(conn: Any) -> int:
            raw_page(conn, params)
            return 200

        contenders: dict[str, tuple[Fetch, Callable[[], Any]]] = {
            "api": (http(api_url), requests.Session),
            "peer": (http(peer_url), requests.Session),
            "raw_sql": (sql, raw_connect),
        }
        for _ in range(5):  # warm both workers on both endpoints
            http(api_url)(requests.Session())
            http(peer_url)(requests.Session())
        out["side_by_side"] = {}
        for concurrency in (1, 8):
            log(f"API, DRF peer and raw SQL interleaved at {concurrency} client(s)")
            out["side_by_side"][f"c{concurrency}"] = interleaved(
                contenders, size.requests, concurrency, size.budget_s
            )
        out["api"] = {level: row["api"] for level, row in out["side_by_side"].items()}
        log(f"API load: {size.requests} requests at concurrency 32")
        out["api"]["c32"] = load(http(api_url), size.requests, 32, size.budget_s)
        c1, c8 = out["side_by_side"]["c1"], out["side_by_side"]["c8"]
        out["api_to_raw_p50_ratio"] = _ratio(c1["api"]["p50_ms"], c1["raw_sql"]["p50_ms"])
        out["api_to_peer_rps_ratio_c8"] = _ratio(c8["api"]["rps"], c8["peer"]["rps"])

        out["pages"] = {}
        for name, path, who in PAGES:
            totp_key = account.get("totp", {}).get(who, "")
            sessionid = login(server.base, account[who], account["password"], totp_key)
            cookie = {**HTTPS, "Cookie": f"sessionid={sessionid}"}

            def page(session: requests.Session, path: str = path, cookie: dict = cookie) -> int:
                return session.get(
                    server.base + path, headers=cookie, timeout=300, allow_redirects=False
                ).status_code

            log(f"page {path} as {account[who]}: {size.page_requests} requests")
            page(requests.Session())
            out["pages"][name] = {
                **load(page, size.page_requests, 1, size.budget_s),
                "path": path,
                "as": account[who],
            }
        out["gunicorn_worker_peak_rss_mb"] = server.worker_hwm()
    finally:
        server.stop()
    return out


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a and b else None


def scan_days() -> tuple[dt.date, dt.date]:
    """An ordinary day (today) and the quarter's report-reminder day: the 15th of its last
    month (the 25th's deadline minus 10 days), when every unit missing a report is reminded."""
    today = dt.date.today()  # noqa: DTZ011  (the scan takes the day as given)
    last_month = 3 * ((today.month - 1) // 3 + 1)
    quarter_day = dt.date(today.year, last_month, 15)
    if quarter_day < today:
        quarter_day = dt.date(today.year + (last_month == 12), last_month % 12 + 3, 15)
    ordinary = today if today != quarter_day else today + dt.timedelta(days=1)
    return ordinary, quarter_day


def phase_scans(env: dict[str, str]) -> dict[str, Any]:
    ordinary, quarter_day = scan_days()
    log(f"reminder scans: ordinary {ordinary}, quarter {quarter_day} (twice)")
    return {
        "ordinary_day": step("scan", env, "--day", ordinary.isoformat()),
        "quarter_end_day": step("scan", env, "--day", quarter_day.isoformat()),
        "quarter_end_day_again": step("scan", env, "--day", quarter_day.isoformat()),
    }


def _reminder_state(conn: Any, day: str) -> dict[str, int]:
    """Rows recorded by the scan of ``day`` by state (one query on an open connection: the
    harness polls without starting processes)."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT status, count(*) FROM notifications_reminder WHERE scan_date = %s "
            "GROUP BY status",
            [day],
        )
        by_status = dict(cur.fetchall())
        # The sending window from the rows themselves: from the scan's records to the last
        # one finished (sent_at, or the claim of a cancelled or failed one).
        cur.execute(
            "SELECT EXTRACT(EPOCH FROM max(coalesce(sent_at, claimed_at)) - min(created_at)) "
            "FROM notifications_reminder WHERE scan_date = %s "
            "AND status NOT IN ('pending', 'sending')",
            [day],
        )
        window = cur.fetchone()[0]
    conn.commit()
    return {
        "send_window_seconds": float(window) if window is not None else None,
        "total": sum(by_status.values()),
        "waiting": by_status.get("pending", 0) + by_status.get("sending", 0),
        "sent": by_status.get("sent", 0),
        "cancelled": by_status.get("cancelled", 0),
        "failed": by_status.get("failed", 0),
    }


def phase_celery(env: dict[str, str], after: dt.date) -> dict[str, Any]:
    """A solo Celery worker processes one scan (on the first day after ``after`` that owes
    new reminders) and the sends it queues, mailing a real SMTP server on loopback that
    counts connections and messages; records processed per second, and its peak RSS."""
    import redis

    from bench.smtp import LoopbackSMTP

    queue = f"bench-{os.getpid()}-{int(time.time())}"  # this run's own (bench.settings)
    broker = redis.Redis.from_url(BROKER)
    conn = psycopg2.connect(dbname=DB, **PG)
    with conn.cursor() as cur:  # earlier timed scans left rows pending: not this test's sends
        cur.execute(
            "UPDATE notifications_reminder SET status = 'cancelled' WHERE status = 'pending'"
        )
    conn.commit()
    smtp = LoopbackSMTP().start()
    celery_env = {
        **env,
        "CELERY_BROKER_URL": BROKER,
        "CELERY_TASK_ALWAYS_EAGER": "False",
        "EMAIL_URL": smtp.url,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "BENCH_CELERY_QUEUE": queue,
    }
    logfile = tempfile.TemporaryFile("w+")  # noqa: SIM115  (closed in the finally below)
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo",
         "--loglevel=WARNING", "--without-heartbeat", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=celery_env, stdout=logfile, stderr=subprocess.STDOUT,
    )  # fmt: skip
    out: dict[str, Any] = {"measured": "VmHWM of the solo worker process", "smtp": smtp.url}
    try:
        time.sleep(3)
        queued = step("celery-scan", celery_env, "--after", after.isoformat())
        out.update(scan_day=queued["day"], owed=queued["owed"])
        if not queued["day"]:
            raise RuntimeError(f"no day within 120 after {after} owes a reminder")
        # From the message on the broker: the worker's scan, then its sends.
        started = time.monotonic() - (time.time() - queued["queued_at"])
        deadline = time.monotonic() + CELERY_BUDGET_S
        state: dict[str, Any] = {}
        rows_seen: float | None = None
        finished = False
        while not finished and time.monotonic() < deadline:
            time.sleep(0.5)
            if proc.poll() is not None:
                logfile.seek(0)
                raise RuntimeError(f"celery worker exited: {logfile.read()[-2000:]}")
            state = _reminder_state(conn, queued["day"])
            if rows_seen is None and state["total"]:
                rows_seen = time.monotonic()
            finished = state["total"] >= queued["owed"] and not state["waiting"]
        ended = time.monotonic()
        processed = state.get("total", 0) - state.get("waiting", 0)
        sending = state.get("send_window_seconds") or 0.0
        # At national size a day's sends outlast the budget: the rate is the measurement.
        out["finished"] = finished
        out["seconds"] = round(ended - started, 2)
        out["scan_seconds"] = round((rows_seen or ended) - started, 2)
        out["send_seconds"] = round(sending, 2)
        out["records_processed"] = processed
        out["records_per_second"] = round(processed / sending, 1) if sending else None
        out["sends_per_second"] = out["records_per_second"]  # the name earlier runs used
        out["reminders"] = state
        out["smtp_messages"] = smtp.messages
        out["smtp_connections"] = smtp.connections
        out["peak_rss_mb"] = vm_hwm_mb(proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        logfile.close()
        smtp.stop()
        conn.close()
        for key in broker.scan_iter(f"*{queue}*"):  # what the budget left unsent, bindings
            broker.delete(key)
    return out


def phase_import(
    env: dict[str, str], built: data.Built, workdir: Path, rows: int
) -> dict[str, Any]:
    import random

    rng = random.Random(7)
    phrases = [p for p in data.deadline_phrases() if p]
    lines = ["STT\tNhiệm vụ\tĐơn vị chủ trì\tĐơn vị phối hợp\tThời gian thực hiện"]
    number = 0
    for i in range(rows):
        if i % 5 and number:
            stt = "-"
        else:
            number += 1
            stt = str(number)
        title = f"{rng.choice(data.VERBS)} {rng.choice(data.OBJECTS)}"
        lead = rng.choice(built.import_units)
        coords = ", ".join(rng.sample(built.import_units, 2))
        lines.append(f"{stt}\t{title}\t{lead}\t{coords}\t{rng.choice(phrases)}")
    path = workdir / f"bang-phan-cong-{rows}.tsv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    seconds, stdout = run(
        [sys.executable, "manage.py", "import_tasks", str(path), "--document",
         built.import_document_slug],
        env,
    )  # fmt: skip
    return {"rows": rows, "seconds": round(seconds, 2), "output": stdout.strip()[-300:]}


def phase_seed_demo(static_root: str) -> dict[str, Any]:
    recreate_database(SEED_DB)
    try:
        env = django_env(SEED_DB, static_root, debug=True)
        migrate_s, _ = run([sys.executable, "manage.py", "migrate", "--noinput"], env)
        seconds, _ = run([sys.executable, "manage.py", "seed_demo"], env)
    finally:
        drop_database(SEED_DB)
    return {"seconds": round(seconds, 2), "migrate_seconds": round(migrate_s, 2), "debug": True}


# --------------------------------------------------------------------------- report


def goals(m: dict[str, Any]) -> list[dict[str, Any]]:
    """Issue 17's goals next to what this run measured (ratios from the same run; ``met`` is
    None where the run did not measure it). Read at the national size: at smaller sizes the
    ratios measure fixed costs (see bench/README.md)."""
    web = m.get("web", {})
    side = web.get("side_by_side", {})
    c1, c8 = side.get("c1", {}), side.get("c8", {})
    pages = web.get("pages", {})
    scans = m.get("scans", {})
    celery = m.get("celery", {})
    imported = m.get("import", {})
    queries = m.get("queries", {})

    def row(name: str, goal: str, measured: Any, met: bool | None, unit: str = "") -> dict:
        return {"goal": name, "target": goal, "measured": measured, "unit": unit, "met": met}

    def at_most(value: float | None, limit: float) -> bool | None:
        return None if value is None else value <= limit

    api_raw = _ratio(c1.get("api", {}).get("p50_ms"), c1.get("raw_sql", {}).get("p50_ms"))
    api_peer = _ratio(c8.get("api", {}).get("rps"), c8.get("peer", {}).get("rps"))
    constant = (
        all(len({v["queries"] for v in variants.values()}) == 1 for variants in queries.values())
        if queries
        else None
    )
    ordinary = scans.get("ordinary_day", {})
    again = scans.get("quarter_end_day_again", {})
    return [
        row("API page p50 / best SQL p50 (1 client)", "≤ 2×", api_raw, at_most(api_raw, 2), "×"),
        row(
            "API req/s / plain DRF peer req/s (8 clients)",
            "≥ 2×",
            api_peer,
            None if api_peer is None else api_peer >= 2,
            "×",
        ),
        row("queries per request constant across pages", "yes", constant, constant),
        *(
            row(
                f"{label} p50",
                "< 100 ms",
                pages.get(name, {}).get("p50_ms"),
                None if pages.get(name, {}).get("p50_ms") is None else pages[name]["p50_ms"] < 100,
                "ms",
            )
            for name, label in (
                ("my_tasks", "Việc của tôi"),
                ("overdue_review", "overdue review, whole country"),
            )
        ),
        row(
            "daily reminder scan, ordinary day",
            "< 1.5 s",
            ordinary.get("seconds"),
            None if ordinary.get("seconds") is None else ordinary["seconds"] < 1.5,
            "s",
        ),
        row(
            "the same scan repeated inserts",
            "0 rows",
            again.get("inserted"),
            None if again.get("inserted") is None else again["inserted"] == 0,
        ),
        row(
            "one Celery worker, reminder records into mails (loopback SMTP)",
            "≥ 150 /s",
            celery.get("records_per_second"),
            None
            if celery.get("records_per_second") is None
            else celery["records_per_second"] >= 150,
            "/s",
        ),
        row(
            "import of 1,000 rows",
            "≤ 3 s",
            imported.get("seconds") if imported.get("rows") == 1000 else None,
            at_most(imported.get("seconds"), 3) if imported.get("rows") == 1000 else None,
            "s",
        ),
    ]


def markdown(result: dict[str, Any]) -> str:
    m = result["measurements"]
    size = result["size"]
    lines = [
        f"### Bench {result['date']} – size `{size['name']}` "
        f"({size['tasks']:,} tasks, {size['reports']:,} reports, {size['reminders']:,} reminders)",
        "",
        f"{result['machine']['nproc']} CPU, {result['machine']['memory_mb']:,} MB, "
        f"PostgreSQL {result['machine']['postgresql']}, mode: {result['mode']}",
        "",
        "| measurement | p50 ms | p95 ms | req/s | notes |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    web = m.get("web", {})
    names = {
        "api": "API task list",
        "peer": "plain DRF ListAPIView (peer)",
        "raw_sql": "best single SQL statement (psycopg2)",
    }
    for level, contenders in web.get("side_by_side", {}).items():
        for name, row in contenders.items():
            lines.append(
                f"| {names[name]}, {level[1:]} client(s) | {row['p50_ms']} | {row['p95_ms']} | "
                f"{row['rps']} | {row['requests']} req in {row['rounds']} interleaved rounds, "
                f"{row['errors']} errors |"
            )
    if "c32" in web.get("api", {}):
        row = web["api"]["c32"]
        lines.append(
            f"| API task list, 32 clients | {row['p50_ms']} | {row['p95_ms']} | "
            f"{row['rps']} | {row['requests']} req, {row['errors']} errors |"
        )
    for name, row in web.get("pages", {}).items():
        lines.append(
            f"| page {name} (`{row.get('path')}` as {row.get('as')}) | {row['p50_ms']} | "
            f"{row['p95_ms']} | {row['rps']} | {row['requests']} req, {row['errors']} errors |"
        )
    lines += ["", "| goal | target | measured | met |", "| --- | --- | ---: | --- |"]
    for goal in result.get("goals", []):
        met = {True: "yes", False: "**no**", None: "not measured"}[goal["met"]]
        lines.append(
            f"| {goal['goal']} | {goal['target']} | {goal['measured']} {goal['unit']} | {met} |"
        )
    lines += ["", "| measurement | value |", "| --- | --- |"]
    if "api_page" in web:
        page = web["api_page"]
        lines.append(
            f"| API page | {page['rows']} rows of {page['count']}, {page['bytes']:,} bytes |"
        )
    if "same_tasks" in web:
        lines.append(
            f"| API, peer and SQL answer the same tasks | {web['same_tasks']['count']} "
            f"(checked id by id before timing) |"
        )
    for name, variants in m.get("queries", {}).items():
        text = " / ".join(f"{v['queries']} (`{k}`)" for k, v in variants.items())
        lines.append(f"| queries per request, {name} | {text} |")
    for name, scan in m.get("scans", {}).items():
        lines.append(
            f"| reminder scan, {name} ({scan['day']}) | {scan['seconds']} s, "
            f"{scan['planned']} owed, {scan['inserted']} inserted |"
        )
    if "seed_demo" in m:
        lines.append(f"| seed_demo (DEBUG=True) | {m['seed_demo']['seconds']} s |")
    if "import" in m:
        imp = m["import"]
        lines.append(f"| import_tasks, {imp['rows']:,} rows | {imp['seconds']} s |")
    if "gunicorn_worker_peak_rss_mb" in web:
        lines.append(f"| gunicorn worker peak RSS | {web['gunicorn_worker_peak_rss_mb']} MB |")
    if "celery" in m:
        c = m["celery"]
        done = "all processed" if c.get("finished") else "stopped at the budget"
        lines.append(
            f"| Celery worker (solo): scan of {c.get('scan_day')} owing {c.get('owed')} "
            f"({c.get('scan_seconds')} s), {c.get('records_processed')} records in "
            f"{c.get('send_seconds')} s ({done}); {c.get('smtp_messages')} mails over "
            f"{c.get('smtp_connections')} SMTP connections | "
            f"{c.get('records_per_second')} records/s |"
        )
        lines.append(
            f"| Celery worker peak RSS (solo, after a scan + sends) | {c.get('peak_rss_mb')} MB |"
        )
    lines.append(
        f"| data build (COPY) | {m.get('build_seconds')} s; migrate {m.get('migrate_seconds')} s |"
    )
    lines.append(
        f"| stored open due dates filled (open_due_repair) | "
        f"{(m.get('open_due') or {}).get('seconds')} s |"
    )
    if "error" in result:
        lines.append(f"| **run stopped early** | {result['error'][:200]} |")
    lines.append(f"| whole run | {result['total_seconds']} s |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    global DB, SEED_DB, BROKER
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--size", choices=list(data.SIZES), default="national")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument(
        "--skip", action="append", default=[], choices=["celery", "seed_demo", "import"]
    )
    parser.add_argument(
        "--db", default=DB, help="database to (re)create; NAME_seed is used for seed_demo"
    )
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    parser.add_argument("--redis-db", type=int, default=12, help="Redis database of the broker")
    args = parser.parse_args(argv)
    BROKER = f"redis://127.0.0.1:6379/{args.redis_db}"
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,50}", args.db):
        parser.error("--db: lower-case letters, digits and _ only")
    DB, SEED_DB = args.db, f"{args.db}_seed"
    size = data.SIZES[args.size]
    started = time.perf_counter()
    today = dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=7))).date()
    result: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).date().isoformat(),
        "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "size": {"name": size.name, **{k: v for k, v in vars(size).items() if k != "name"}},
        "machine": machine(),
        "mode": "production settings (DEBUG=False, PostgreSQL jit=off), gunicorn 2 sync workers",
        "measurements": {},
    }
    m = result["measurements"]
    workdir = Path(tempfile.mkdtemp(prefix="bench-"))
    static_root = str(workdir / "static")
    env = django_env(DB, static_root, debug=False)
    try:
        log(f"database {DB}: recreate and migrate")
        recreate_database(DB)
        migrate = [sys.executable, "manage.py", "migrate", "--noinput"]
        m["migrate_seconds"] = round(run(migrate, env)[0], 2)
        log(f"data set {size.name}: {size.tasks} tasks")
        t0 = time.perf_counter()
        conn = psycopg2.connect(dbname=DB, **PG)
        built = data.build(conn, size, today)
        m["build_seconds"] = round(time.perf_counter() - t0, 2)
        # The stored open due dates, as the services keep them: the same function, once.
        log("stored open due dates (tasks.services.open_due_repair)")
        m["open_due"] = step("open-due", env)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
        conn.close()
        result["data"] = {
            "counts": built.counts,
            "busy_unit": {"id": built.busy_unit, "name": built.busy_unit_name},
            "reviewer_unit": built.monitor_unit,
            "distinct_deadline_phrases": built.phrases,
        }
        account = step(
            "setup", env, "--unit", str(built.busy_unit),
            "--review-all-unit", str(built.review_all_unit),
            "--monitor-unit", str(built.monitor_unit),
        )  # fmt: skip
        run([sys.executable, "manage.py", "collectstatic", "--noinput"], env)
        recurring = step("recurring-overdue", env, "--day", today.isoformat())
        m["web"] = phase_web(env, built, account, size, recurring)
        m["queries"] = step("queries", env, "--unit", str(built.busy_unit))
        m["scans"] = phase_scans(env)
        if "celery" not in args.skip:
            log("Celery worker")
            m["celery"] = phase_celery(env, after=scan_days()[1])
        if "import" not in args.skip:
            log(f"import_tasks, {size.import_rows:,} rows")
            m["import"] = phase_import(env, built, workdir, size.import_rows)
        if "seed_demo" not in args.skip:
            log("seed_demo on a fresh database")
            m["seed_demo"] = phase_seed_demo(static_root)
    except (Exception, KeyboardInterrupt) as exc:  # keep what was measured, say why it stopped
        result["error"] = f"{type(exc).__name__}: {exc}"[:4000]
        log(f"stopped: {result['error']}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        if args.drop:
            drop_database(DB)
    result["database"] = DB
    result["goals"] = goals(m)
    result["total_seconds"] = round(time.perf_counter() - started, 1)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"{result['date']}.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str) + "\n")
    print(markdown(result))
    print(f"\nResults: {path}")
    return 1 if "error" in result else 0


if __name__ == "__main__":
    sys.exit(main())
