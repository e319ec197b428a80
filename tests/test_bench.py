"""The bench harness runs end to end at its tiniest size, so it cannot rot.

Timings are never asserted: only that the run exits 0 and writes a JSON with every section.
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
def test_bench_tiny_runs_end_to_end(tmp_path):
    # A database of its own (dropped at the end): never the one `make bench` is using.
    db = f"portal_bench_test_{os.getpid()}"
    args = [sys.executable, "-m", "bench.run", "--size", "tiny", "--out", str(tmp_path)]
    args += ["--db", db, "--drop", "--redis-db", "13"]
    if not _reachable(6379):
        args += ["--skip", "celery"]
    proc = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    files = list(tmp_path.glob("*.json"))
    assert len(files) == 1
    result = json.loads(files[0].read_text())
    assert {"date", "size", "machine", "mode", "data", "measurements", "total_seconds"} <= set(
        result
    )
    assert result["size"]["name"] == "tiny"
    assert {"nproc", "memory_mb", "postgresql"} <= set(result["machine"])
    m = result["measurements"]
    assert {"web", "web_jit_off", "queries", "scans", "import", "seed_demo"} <= set(m)
    web = m["web"]
    assert set(web["api"]) == {"c1", "c8", "c32"}
    for level in web["api"].values():
        assert {"p50_ms", "p95_ms", "rps", "requests", "errors"} <= set(level)
        assert level["errors"] == 0
    assert {"p50_ms", "count", "rows"} <= set(web["raw_sql"])
    assert "api_to_raw_p50_ratio" in web
    assert set(web["pages"]) == {"overdue_review", "my_tasks"}
    assert web["gunicorn_worker_peak_rss_mb"]
    assert set(m["scans"]) == {"ordinary_day", "quarter_end_day", "quarter_end_day_again"}
    assert "inserted" in m["scans"]["quarter_end_day_again"]
    if _reachable(6379):
        assert "peak_rss_mb" in m["celery"]
    assert "| API task list" in proc.stdout
