"""The operator CLI and the embedded `run` command, driven as an operator would."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

import app as cli
from backend.composition.container import Container
from backend.platform.config import load_settings
from tests.conftest import mariadb_database_url
from tests.integration.replication import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(params=["sqlite", "mariadb"])
def cli_env(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("VAR_DIR", str(tmp_path / "var"))
    if request.param == "mariadb":
        monkeypatch.setenv("DATABASE_URL", mariadb_database_url("cli"))
    else:
        monkeypatch.delenv("DATABASE_URL", raising=False)
    assert cli.main(["migrate"]) == 0
    return tmp_path


def _run(args: list[str], monkeypatch: pytest.MonkeyPatch, stdin: str = "") -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return cli.main(args)


def test_users_create_list_disable(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    create = ["users", "create", "--email", "Ops@Example.com", "--role", "admin", "--password-stdin"]
    assert _run(create, monkeypatch, "a long enough password\n") == 0
    assert _run(["users", "list"], monkeypatch) == 0
    assert _run(["users", "disable", "--email", "ops@example.com"], monkeypatch) == 0
    assert _run(["users", "list"], monkeypatch) == 0
    out = capsys.readouterr().out
    assert "created user 1 ops@example.com (admin)" in out
    assert "1\tops@example.com\tadmin\tactive" in out
    assert "1\tops@example.com\tadmin\tdisabled" in out
    assert "a long enough password" not in out


def test_an_operator_sets_a_password_from_stdin_and_the_old_one_stops_working(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    create = ["users", "create", "--email", "ops@example.com", "--role", "analyst", "--password-stdin"]
    assert _run(create, monkeypatch, "the first long password\n") == 0
    reset = ["users", "set-password", "--email", "ops@example.com"]
    assert _run(reset, monkeypatch) == 2  # never from the command line
    assert _run([*reset, "--password-stdin"], monkeypatch, "short\n") == 1
    assert _run([*reset, "--password-stdin"], monkeypatch, "the second long password\n") == 0
    captured = capsys.readouterr()
    assert "--password-stdin is required" in captured.err and "12 to 256 characters" in captured.err
    assert "set the password of user 1 ops@example.com" in captured.out
    assert "long password" not in captured.out + captured.err
    users = Container(load_settings()).users
    assert users.verify_credentials("ops@example.com", "the first long password") is None
    assert users.verify_credentials("ops@example.com", "the second long password") is not None


def test_users_create_refuses_password_on_command_line_and_bad_input(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(["users", "create", "--email", "a@example.com", "--role", "analyst"], monkeypatch) == 2
    assert (
        _run(
            ["users", "create", "--email", "a@example.com", "--role", "analyst", "--password-stdin"],
            monkeypatch,
            "short\n",
        )
        == 2
    )
    err = capsys.readouterr().err
    assert "--password-stdin is required" in err
    assert "password" in err and "at least 12 characters" in err
    assert _run(["users", "list"], monkeypatch) == 0
    assert "a@example.com" not in capsys.readouterr().out


def test_duplicate_user_is_an_error_naming_the_field(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["users", "create", "--email", "dup@example.com", "--role", "manager", "--password-stdin"]
    assert _run(args, monkeypatch, "a long enough password\n") == 0
    assert _run(args, monkeypatch, "a long enough password\n") == 1
    assert "error (email): a user with email dup@example.com already exists" in capsys.readouterr().err


def test_run_migrates_seeds_and_serves_the_login_page(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "VAR_DIR": str(tmp_path / "var"), "PORT": str(port)}
    env.pop("DATABASE_URL", None)
    # Output goes to a file, not a pipe: seeding logs plenty, and a full pipe would block
    # the server before it ever listens.
    log_path = tmp_path / "run.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "app.py", "run"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as response:
                        page = response.read().decode()
                        server = response.headers["Server"]
                        break
                except OSError as exc:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise AssertionError(f"app.py run did not serve: {log_path.read_text()}") from exc
                    time.sleep(0.3)
            assert "password" in page.lower()
            assert server == "gunicorn"  # a production server, as `app.py serve`, not Werkzeug's
            logins = json.loads((tmp_path / "var" / "demo-logins.json").read_text())
            assert set(logins) == {"admin", "manager", "investor", "analyst"}
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
    output = log_path.read_text()
    assert f"http://127.0.0.1:{port}" in output
    for role in ("admin", "manager", "investor", "analyst"):
        assert f"{role}@demo.local" in output


def test_seed_migrates_a_fresh_database_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An operator seeding a new database gets the data set, not 'no such table'."""
    monkeypatch.setenv("VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    assert _run(["seed", "--scale", "demo"], monkeypatch) == 0
    assert "5 pools" in capsys.readouterr().out
    assert _run(["ledger", "verify"], monkeypatch) == 0


def test_the_payments_sweep_says_what_it_did(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(["payments", "sweep"], monkeypatch) == 0
    out = capsys.readouterr().out
    assert "requests and payouts caught up: 0; gateway attempts looked at: 0;" in out
    assert "ledger entries written: 0" in out
    assert "bank details re-sealed: 0" in out
