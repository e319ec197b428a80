"""The production stack as files: compose, Dockerfile, Caddyfile and the two locks. No Docker
engine runs here, so what can be checked offline is: `docker-compose config` (Debian's v1
tool), `caddy validate`, and pip resolving the runtime lock with hashes."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEV_TOOLS = {"pytest", "playwright", "mypy", "schemathesis", "ruff", "django-stubs", "hypothesis"}
needs_compose = pytest.mark.skipif(
    shutil.which("docker-compose") is None, reason="docker-compose (apt) is not installed"
)


def compose(tmp_path: Path, env: str, *args: str) -> subprocess.CompletedProcess[str]:
    shutil.copy(ROOT / "docker-compose.yml", tmp_path / "docker-compose.yml")
    (tmp_path / ".env").write_text(env, encoding="utf-8")
    return subprocess.run(
        ["docker-compose", "config", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin"},
    )


def filled_env() -> str:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^SECRET_KEY=$", "SECRET_KEY=" + "s" * 50, text)
    return re.sub(r"(?m)^POSTGRES_PASSWORD=$", "POSTGRES_PASSWORD=pw", text)


@needs_compose
def test_config_reads_the_file_with_the_example_as_is_and_the_stack_refuses_to_start(tmp_path):
    # given the example .env with its secrets still empty: the file itself is valid
    result = compose(tmp_path, (ROOT / ".env.example").read_text(encoding="utf-8"))
    assert result.returncode == 0, result.stderr
    services = yaml.safe_load(result.stdout)["services"]
    migrate = services["migrate"]["environment"]
    assert migrate["SECRET_KEY"] == "" and migrate["DEBUG"] == "False"
    assert services["db"]["environment"]["POSTGRES_PASSWORD"] == ""
    # when the one-shot migrate starts with that environment, then Django stops, naming it
    env = {k: str(v) for k, v in migrate.items()}
    env.update(PATH="/usr/bin:/bin", DATABASE_URL="sqlite:///" + str(tmp_path / "x.sqlite3"))
    for missing in ("SECRET_KEY", "ALLOWED_HOSTS"):
        started = subprocess.run(
            [sys.executable, "manage.py", "check"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            env={
                **env,
                "SECRET_KEY": "" if missing == "SECRET_KEY" else "s" * 50,
                "ALLOWED_HOSTS": "" if missing == "ALLOWED_HOSTS" else "localhost",
            },
        )
        assert started.returncode != 0
        assert f"{missing} must be set when DEBUG is False" in started.stderr, started.stderr


@needs_compose
def test_config_reads_the_file_without_any_env_file(tmp_path):
    shutil.copy(ROOT / "docker-compose.yml", tmp_path / "docker-compose.yml")
    result = subprocess.run(
        ["docker-compose", "config", "-q"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr


@needs_compose
def test_compose_from_the_filled_example_orders_and_checks_every_service(tmp_path):
    result = compose(tmp_path, filled_env())
    assert result.returncode == 0, result.stderr
    services = yaml.safe_load(result.stdout)["services"]
    assert set(services) == {"proxy", "db", "redis", "migrate", "web", "worker", "beat"}
    # every service has a health check; only the proxy is published
    for name, service in services.items():
        assert service.get("healthcheck", {}).get("test"), name
        if name != "proxy":
            assert not service.get("ports"), name
    assert sorted(services["proxy"]["ports"], key=str) != []
    # web, worker and beat wait for the one-shot migration to have succeeded
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }
        assert any(
            str(v).startswith("media:") or "media" in str(v) for v in services[name]["volumes"]
        )
    assert services["migrate"]["command"][-2:] == ["migrate", "--noinput"]
    assert services["web"]["environment"]["DEBUG"] == "False"
    # liveness, not the full status page, decides whether web is healthy
    assert "deploy/healthcheck.py" in " ".join(services["web"]["healthcheck"]["test"])
    assert services["proxy"]["environment"]["TLS"] == "internal"
    assert services["proxy"]["environment"]["UPSTREAM"] == "web:8000"


@pytest.mark.skipif(shutil.which("caddy") is None, reason="caddy (apt) is not installed")
@pytest.mark.parametrize("tls", ["internal", "/certs/fullchain.pem /certs/privkey.pem"])
def test_caddyfile_is_valid_with_a_local_or_a_given_certificate(tmp_path, tls):
    if tls != "internal":
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "1",
                "-subj",
                "/CN=localhost",
                "-keyout",
                str(tmp_path / "privkey.pem"),
                "-out",
                str(tmp_path / "fullchain.pem"),
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
        tls = f"{tmp_path}/fullchain.pem {tmp_path}/privkey.pem"
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path),
        "TLS": tls,
        "SITE_ADDRESS": "localhost",
    }
    result = subprocess.run(
        ["caddy", "validate", "--adapter", "caddyfile", "--config", "deploy/Caddyfile"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Valid configuration" in result.stdout + result.stderr


def locked(path: Path) -> dict[str, str]:
    """name -> version of a `uv export` file; fails on a requirement without a hash."""
    text = path.read_text(encoding="utf-8")
    entries = re.split(r"\n(?=[a-z0-9])", text.split("\n", 2)[2].strip(), flags=re.I)
    found = {}
    for entry in entries:
        name, version = re.match(r"([A-Za-z0-9_.\-\[\]]+)==([^ ;\\\n]+)", entry).groups()
        assert "--hash=sha256:" in entry, f"{path.name}: {name} has no hash"
        found[name.lower()] = version
    return found


def test_runtime_lock_has_hashes_and_no_test_tools_and_agrees_with_the_dev_lock():
    runtime = locked(ROOT / "requirements.lock")
    dev = locked(ROOT / "requirements-dev.lock")
    assert {"django", "gunicorn", "celery", "django-health-check"} <= set(runtime)
    assert not DEV_TOOLS & set(runtime)
    assert DEV_TOOLS - {"hypothesis"} <= set(dev)
    assert {name: dev[name] for name in runtime} == runtime


def test_dockerfile_installs_the_runtime_lock_with_hashes_in_a_build_stage():
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    stages = re.findall(r"(?m)^FROM ", text)
    assert len(stages) == 2
    assert "--require-hashes" in text and "requirements.lock" in text
    assert "requirements-dev.lock" not in text
    assert "COPY --from=build /opt/venv /opt/venv" in text


@pytest.mark.prod
def test_runtime_lock_resolves_with_require_hashes():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--dry-run",
            "--ignore-installed",
            "--require-hashes",
            "--quiet",
            "-r",
            str(ROOT / "requirements.lock"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
