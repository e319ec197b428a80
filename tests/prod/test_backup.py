"""`make backup` / `make restore`: a dump and the media taken from a live database, restored
into an empty database and media directory, hold the same rows and files."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest
from django.db import connection
from psycopg2 import sql

from tests.notifications.conftest import build_world

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed"),
]


def admin_connection():  # type: ignore[no-untyped-def]
    params = connection.get_connection_params()
    params["dbname"] = "postgres"
    conn = psycopg2.connect(**{k: v for k, v in params.items() if k != "cursor_factory"})
    conn.autocommit = True
    return conn


def backup_py(action: list[str], database: str, media: Path) -> str:
    base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    env = {**os.environ, "DATABASE_URL": f"{base}/{database}", "MEDIA_ROOT": str(media)}
    result = subprocess.run(
        [sys.executable, "deploy/backup.py", *action],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_a_backup_restores_into_an_empty_database_with_its_media(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("backup and restore are for PostgreSQL")
    # given rows and an evidence file
    world = build_world()
    source_media = tmp_path / "media"
    (source_media / "evidence").mkdir(parents=True)
    (source_media / "evidence" / "bien-ban.pdf").write_bytes(b"%PDF-1.4 minh chung")
    # when it is backed up, and restored into a new, empty database and media directory
    out = backup_py(
        ["create", "--dir", str(tmp_path / "backups")],
        connection.settings_dict["NAME"],
        source_media,
    )
    backup = Path(out.strip().splitlines()[-1])
    assert {p.name for p in backup.iterdir()} == {"db.dump", "media.tar.gz"}
    empty = connection.settings_dict["NAME"] + "_restore"
    admin = admin_connection()
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(empty)))
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(empty)))
    try:
        backup_py(["restore", str(backup)], empty, tmp_path / "restored-media")
        # then the restored database has the rows, and the media directory the file
        params = connection.get_connection_params()
        params["dbname"] = empty
        restored = psycopg2.connect(**{k: v for k, v in params.items() if k != "cursor_factory"})
        with restored, restored.cursor() as cursor:
            cursor.execute("SELECT name FROM accounts_unit WHERE key = %s", ["nt-chu-tri"])
            assert cursor.fetchone() == (world.lead.name,)
            cursor.execute("SELECT title FROM tasks_task WHERE id = %s", [world.task.pk])
            assert cursor.fetchone() == (world.task.title,)
            cursor.execute("SELECT count(*) FROM django_migrations")
            assert cursor.fetchone()[0] > 10
        restored.close()
        pdf = tmp_path / "restored-media" / "evidence" / "bien-ban.pdf"
        assert pdf.read_bytes() == b"%PDF-1.4 minh chung"
    finally:
        with admin.cursor() as cursor:
            cursor.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(empty))
            )
        admin.close()
