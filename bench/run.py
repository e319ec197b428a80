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

import psycopg2
import requests

from bench import data

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


def load(
    fetch: Callable[[requests.Session], int], total: int, concurrency: int, budget: float
) -> dict[str, Any]:
    """``total`` calls of ``fetch`` spread over ``concurrency`` threads, each with its own
    session; no new call starts after ``budget`` seconds (a slow server ends the level
    early, the count says how many ran). Returns latency percentiles, throughput and the
    non-200 count."""
    latencies: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()
    remaining = [total]
    stop_at = time.monotonic() + budget

    def worker() -> None:
        session = requests.Session()
        while True:
            with lock:
                if remaining[0] <= 0 or time.monotonic() > stop_at:
                    return
                remaining[0] -= 1
            started = time.perf_counter()
            try:
                code = fetch(session)
            except requests.RequestException:
                code = -1
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if code != 200:
                    errors.append(code)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=900)
    wall = time.perf_counter() - started
    return {
        "concurrency": concurrency,
        "requests": len(latencies),
        "errors": len(errors),
        "error_codes": sorted(set(errors)),
        "p50_ms": ms(pct(latencies, 0.50)),
        "p95_ms": ms(pct(latencies, 0.95)),
        "rps": round(len(latencies) / wall, 1) if wall else None,
        "budget_seconds": budget,
    }


# --------------------------------------------------------------------------- raw SQL baseline

_WHERE = """
    EXISTS (SELECT 1 FROM tasks_taskassignment a
            WHERE a.task_id = t.id AND a.role = 'lead' AND a.unit_id = %(unit)s)
    AND t.deadline_kind IN ('date', 'period') AND t.due_on IS NOT NULL AND t.due_on < %(today)s
    AND t.completed_on IS NULL
"""
RAW_PAGE = f"""
SELECT t.id, t.ref, t.title, t.parent_id, t.implements_id, t.deadline_text, t.deadline_kind,
       t.due_on, t.starts_on, t.recurrence, t.deadline_normalized, t.deadline_note,
       d.id, d.number, d.slug, d.title,
       (SELECT json_agg(json_build_object('id', u.id, 'name', u.name, 'role', a.role)
                        ORDER BY a.role, a.position)
          FROM tasks_taskassignment a JOIN accounts_unit u ON u.id = a.unit_id
         WHERE a.task_id = t.id),
       (SELECT json_agg(json_build_object('id', tr.id, 'unit_id', u.id, 'unit', u.name,
                                          'percent', tr.percent,
                                          'completed_on', tr.completed_on))
          FROM tasks_tasktrack tr JOIN accounts_unit u ON u.id = tr.unit_id
         WHERE tr.task_id = t.id)
  FROM tasks_task t JOIN documents_document d ON d.id = t.document_id
 WHERE {_WHERE}
 ORDER BY t.due_on ASC NULLS LAST, t.id
 LIMIT 50
"""  # noqa: S608  (constant text, parameters bound by psycopg2)
RAW_COUNT = f"SELECT count(*) FROM tasks_task t WHERE {_WHERE}"  # noqa: S608


def raw_baseline(unit: int, today: dt.date, repeat: int) -> dict[str, Any]:
    """The API's page (count + 50 rows with document, units and tracks) as raw SQL."""
    conn = psycopg2.connect(dbname=DB, options="-c jit=off", **PG)  # as the portal connects
    params = {"unit": unit, "today": today}
    latencies = []
    rows = count = 0
    with conn.cursor() as cur:
        for _ in range(repeat):
            started = time.perf_counter()
            cur.execute(RAW_COUNT, params)
            count = cur.fetchone()[0]
            cur.execute(RAW_PAGE, params)
            rows = len(cur.fetchall())
            latencies.append(time.perf_counter() - started)
    conn.close()
    return {
        "requests": repeat,
        "rows": rows,
        "count": count,
        "p50_ms": ms(pct(latencies, 0.5)),
        "p95_ms": ms(pct(latencies, 0.95)),
    }


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


def login(base: str, username: str, password: str) -> str:
    """Sign in through /dang-nhap/ like a browser; returns the session id. The cookies are
    Secure in production mode, so they are carried by hand over loopback HTTP."""
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
    return sessionid


# --------------------------------------------------------------------------- phases


# (name, path, account): "Việc của tôi" of the busy unit's officer; the overdue review of
# Ban Kinh tế Trung ương (every task in the country) and of a body monitoring 1 in 50.
PAGES = (
    ("my_tasks", "/viec-cua-toi/", "officer"),
    ("overdue_review", "/ra-soat-qua-han/", "reviewer"),
    ("overdue_review_monitor", "/ra-soat-qua-han/", "monitor"),
)


def phase_web(
    env: dict[str, str],
    built: data.Built,
    account: dict[str, Any],
    size: data.Size,
    levels: tuple[int, ...] = (1, 8, 32),
) -> dict[str, Any]:
    today = dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=7))).date()
    out: dict[str, Any] = {}
    server = Server(env)
    try:
        api_url = f"{server.base}/api/v1/tasks/?lead_unit={built.busy_unit}&status=overdue"
        api_url += "&page_size=50"
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

        def api(session: requests.Session) -> int:
            return session.get(api_url, headers=api_headers, timeout=300).status_code

        for _ in range(5):  # warm both workers
            api(requests.Session())
        out["api"] = {}
        for concurrency in levels:
            log(f"API load: {size.requests} requests at concurrency {concurrency}")
            out["api"][f"c{concurrency}"] = load(api, size.requests, concurrency, size.budget_s)
        raw = raw_baseline(built.busy_unit, today, size.requests)
        out["raw_sql"] = raw
        api_p50 = out["api"]["c1"]["p50_ms"]
        out["api_to_raw_p50_ratio"] = (
            round(api_p50 / raw["p50_ms"], 1) if api_p50 and raw["p50_ms"] else None
        )

        out["pages"] = {}
        for name, path, who in PAGES:
            sessionid = login(server.base, account[who], account["password"])
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


def phase_celery(env: dict[str, str], after: dt.date) -> dict[str, Any]:
    """A solo Celery worker processes one scan (on the first day after ``after`` that owes
    new reminders) and the sends it queues; how long until all are sent, and its peak RSS."""
    import redis

    broker = redis.Redis.from_url(BROKER)
    broker.delete("celery")
    conn = psycopg2.connect(dbname=DB, **PG)
    with conn.cursor() as cur:  # earlier timed scans left rows pending: not this test's sends
        cur.execute(
            "UPDATE notifications_reminder SET status = 'cancelled' WHERE status = 'pending'"
        )
    conn.commit()
    conn.close()
    celery_env = {**env, "CELERY_BROKER_URL": BROKER, "CELERY_TASK_ALWAYS_EAGER": "False"}
    logfile = tempfile.TemporaryFile("w+")  # noqa: SIM115  (closed in the finally below)
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo",
         "--loglevel=WARNING", "--without-heartbeat", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=celery_env, stdout=logfile, stderr=subprocess.STDOUT,
    )  # fmt: skip
    out: dict[str, Any] = {"measured": "VmHWM of the solo worker process"}
    try:
        time.sleep(3)
        started = time.perf_counter()
        queued = step("celery-scan", celery_env, "--after", after.isoformat())
        out.update(scan_day=queued["day"], owed=queued["owed"])
        if not queued["day"]:
            raise RuntimeError(f"no day within 120 after {after} owes a reminder")
        deadline = time.monotonic() + CELERY_BUDGET_S
        state: dict[str, Any] = {}
        finished = False
        while not finished and time.monotonic() < deadline:
            time.sleep(1)
            if proc.poll() is not None:
                logfile.seek(0)
                raise RuntimeError(f"celery worker exited: {logfile.read()[-2000:]}")
            state = step("celery-idle", env, "--day", queued["day"])
            finished = state["total"] >= queued["owed"] and not state["waiting"]
        seconds = time.perf_counter() - started
        # At national size a day's sends outlast the budget: the rate is the measurement.
        out["finished"] = finished
        out["seconds"] = round(seconds, 2)
        out["sends_per_second"] = round(state.get("sent", 0) / seconds, 1) if seconds else None
        out["reminders"] = state
        out["peak_rss_mb"] = vm_hwm_mb(proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        logfile.close()
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
    for level, row in web.get("api", {}).items():
        lines.append(
            f"| API task list, {level[1:]} client(s) | {row['p50_ms']} | {row['p95_ms']} | "
            f"{row['rps']} | {row['requests']} req, {row['errors']} errors |"
        )
    if "raw_sql" in web:
        raw = web["raw_sql"]
        lines.append(
            f"| raw SQL, same page (psycopg2) | {raw['p50_ms']} | {raw['p95_ms']} | | "
            f"API/raw p50 = **{web['api_to_raw_p50_ratio']}×** (goal ≤ 3×) |"
        )
    for name, row in web.get("pages", {}).items():
        lines.append(
            f"| page {name} (`{row.get('path')}` as {row.get('as')}) | {row['p50_ms']} | "
            f"{row['p95_ms']} | {row['rps']} | {row['requests']} req, {row['errors']} errors |"
        )
    lines += ["", "| measurement | value |", "| --- | --- |"]
    if "api_page" in web:
        page = web["api_page"]
        lines.append(
            f"| API page | {page['rows']} rows of {page['count']}, {page['bytes']:,} bytes |"
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
        done = "all sent" if c.get("finished") else "stopped at the budget"
        lines.append(
            f"| Celery worker (solo): scan of {c.get('scan_day')} owing {c.get('owed')}, "
            f"{c.get('reminders', {}).get('sent')} sent in {c.get('seconds')} s ({done}) | "
            f"{c.get('sends_per_second')} sends/s |"
        )
        lines.append(
            f"| Celery worker peak RSS (solo, after a scan + sends) | {c.get('peak_rss_mb')} MB |"
        )
    lines.append(
        f"| data build (COPY) | {m.get('build_seconds')} s; migrate {m.get('migrate_seconds')} s |"
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
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
        conn.close()
        m["build_seconds"] = round(time.perf_counter() - t0, 2)
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
        m["web"] = phase_web(env, built, account, size)
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
    result["total_seconds"] = round(time.perf_counter() - started, 1)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"{result['date']}.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str) + "\n")
    print(markdown(result))
    print(f"\nResults: {path}")
    return 1 if "error" in result else 0


if __name__ == "__main__":
    sys.exit(main())
