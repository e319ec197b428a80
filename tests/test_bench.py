"""The bench harness runs end to end at the reduced size `make bench SIZE=small` uses (2,000
tasks; four to six minutes on this 2-core machine), so it cannot rot.

Timings are never asserted: only that the run exits 0, writes a JSON with every section and
counts what it should (no errors, the second scan of a day inserts nothing, the Celery
worker sends what its scan recorded, the queries per list request do not grow with the page).
Needs PostgreSQL at 127.0.0.1:5432 (it creates and drops its own databases, portal_bench and
portal_bench_seed); the Celery phase also needs Redis at 127.0.0.1:6379.
"""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _reachable(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _reachable(5432), reason="PostgreSQL at 127.0.0.1:5432 not reachable")
def test_bench_small_runs_end_to_end(tmp_path):
    # A database of its own (dropped at the end): never the one `make bench` is using.
    db = f"portal_bench_test_{os.getpid()}"
    args = [sys.executable, "-m", "bench.run", "--size", "small", "--out", str(tmp_path)]
    args += ["--db", db, "--drop", "--redis-db", os.environ.get("BENCH_REDIS_DB", "13")]
    if not _reachable(6379):
        args += ["--skip", "celery"]
    proc = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-4000:]
    files = list(tmp_path.glob("*.json"))
    assert len(files) == 1
    result = json.loads(files[0].read_text())
    assert {"date", "size", "machine", "mode", "data", "measurements", "total_seconds"} <= set(
        result
    )
    assert result["size"]["name"] == "small"
    assert {"nproc", "memory_mb", "postgresql"} <= set(result["machine"])
    m = result["measurements"]
    assert {"web", "queries", "scans", "import", "seed_demo"} <= set(m)
    web = m["web"]
    assert set(web["api"]) == {"c1", "c8", "c32"}
    for level in web["api"].values():
        assert {"p50_ms", "p95_ms", "rps", "requests", "errors"} <= set(level)
        assert level["errors"] == 0 and level["requests"] > 0
    assert web["api_page"]["rows"] > 0
    # the raw SQL, the API and the plain DRF peer answered the same tasks (the run checks
    # them id by id and stops otherwise), measured side by side in interleaved rounds
    assert web["same_tasks"]["api_equals_raw_sql_equals_peer"]
    assert web["same_tasks"]["count"] == web["api_page"]["count"] == web["raw_sql"]["count"]
    assert web["raw_sql"]["rows"] == web["api_page"]["rows"] > 0
    assert any("Buffers:" in line for line in web["raw_sql"]["explain_analyze_buffers"])
    for level in ("c1", "c8"):
        assert set(web["side_by_side"][level]) == {"api", "peer", "raw_sql"}
        for row in web["side_by_side"][level].values():
            assert row["errors"] == 0 and row["requests"] > 0 and row["rounds"] > 1
    assert "api_to_raw_p50_ratio" in web and "api_to_peer_rps_ratio_c8" in web
    assert set(web["pages"]) == {"overdue_review", "overdue_review_monitor", "my_tasks"}
    assert all(page["errors"] == 0 for page in web["pages"].values())
    assert web["gunicorn_worker_peak_rss_mb"]
    for name, variants in m["queries"].items():
        assert {v["status"] for v in variants.values()} == {200}, name
        assert len({v["queries"] for v in variants.values()}) == 1, (name, variants)
    assert set(m["scans"]) == {"ordinary_day", "quarter_end_day", "quarter_end_day_again"}
    assert m["scans"]["quarter_end_day"]["planned"] > 0
    assert m["scans"]["quarter_end_day_again"]["inserted"] == 0
    if _reachable(6379):
        celery = m["celery"]
        assert celery["owed"] > 0 and "peak_rss_mb" in celery
        assert celery["finished"]  # at this size the day's sends fit the budget
        assert celery["reminders"]["total"] >= celery["owed"]
        assert celery["reminders"]["waiting"] == 0
        # mailed to a real SMTP server on loopback, not a dummy backend
        assert celery["smtp_messages"] > 0 and celery["smtp_connections"] > 0
    assert m["import"]["rows"] == 1000 and "1000 mới" in m["import"]["output"]
    assert m["seed_demo"]["seconds"] > 0
    goals = {goal["goal"]: goal for goal in result["goals"]}
    assert len(goals) == 9 and all("measured" in goal and "met" in goal for goal in goals.values())
    assert "| API task list" in proc.stdout and "| goal | target | measured | met |" in proc.stdout
