"""`make backup` / `make restore BACKUP=backups/<stamp>`: the PostgreSQL database
(pg_dump's custom format) and the uploaded evidence (a tar of MEDIA_ROOT), side by side.

The database and media directory come from the portal's own settings (DATABASE_URL,
MEDIA_ROOT); pg_dump and pg_restore (Debian's postgresql-client) must match the server's
major version. Restoring into an empty database recreates every table; into a used one it
replaces them (pg_restore --clean).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _settings():  # type: ignore[no-untyped-def]
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django
    from django.conf import settings

    django.setup()
    db = settings.DATABASES["default"]
    if not db["ENGINE"].endswith("postgresql"):
        sys.exit("backup/restore: DATABASE_URL must point at PostgreSQL")
    return db, Path(settings.MEDIA_ROOT)


def _pg(db: dict) -> tuple[list[str], dict[str, str]]:
    args = ["-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432), "-U", db["USER"]]
    env = {**os.environ, "PGPASSWORD": db["PASSWORD"] or ""}
    return args, env


def create(directory: Path) -> Path:
    db, media = _settings()
    target = directory / dt.datetime.now(tz=dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    target.mkdir(parents=True)
    args, env = _pg(db)
    subprocess.run(
        [
            "pg_dump",
            *args,
            "--format=custom",
            "--no-owner",
            "--no-acl",
            "-f",
            str(target / "db.dump"),
            db["NAME"],
        ],
        check=True,
        env=env,
    )
    with tarfile.open(target / "media.tar.gz", "w:gz") as tar:
        if media.exists():
            tar.add(media, arcname="media")
    print(target)
    return target


def restore(source: Path) -> None:
    db, media = _settings()
    args, env = _pg(db)
    subprocess.run(
        [
            "pg_restore",
            *args,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-acl",
            "--exit-on-error",
            "-d",
            db["NAME"],
            str(source / "db.dump"),
        ],
        check=True,
        env=env,
    )
    media.mkdir(parents=True, exist_ok=True)
    with tarfile.open(source / "media.tar.gz", "r:gz") as tar:
        members = [
            m for m in tar.getmembers() if m.name.startswith("media/") and (m.isfile() or m.isdir())
        ]
        for member in members:
            member.name = member.name.removeprefix("media/")
        tar.extractall(media, members=[m for m in members if m.name], filter="data")
    print(f"restored {source} into {db['NAME']} and {media}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("create").add_argument("--dir", type=Path, default=ROOT / "backups")
    sub.add_parser("restore").add_argument("source", type=Path)
    options = parser.parse_args()
    if options.command == "create":
        create(options.dir)
    else:
        restore(options.source)


if __name__ == "__main__":
    main()
