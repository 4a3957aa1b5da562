"""deploy/mariadb/: the servers' options are ones mariadbd knows, and they set what the books'
durability, replication and point-in-time recovery depend on.

`mariadbd --defaults-file=F --verbose --help` reads the file as the server would at start:
an unknown or misspelt option fails it, and it prints each variable's resulting value.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "mariadb"

# What a restore, a replica and a crash rely on (docs/operations.md, "Backups and restore").
BOTH = {
    "log-bin": "mariadb-bin",
    "binlog-format": "ROW",
    "binlog-row-image": "FULL",
    "gtid-strict-mode": "TRUE",
    "log-slave-updates": "TRUE",
    "sync-binlog": "1",
    "innodb-flush-log-at-trx-commit": "1",
    "character-set-server": "utf8mb4",
    "collation-server": "utf8mb4_bin",
    "rpl-semi-sync-master-enabled": "TRUE",
    "rpl-semi-sync-master-wait-point": "AFTER_SYNC",
    "rpl-semi-sync-slave-enabled": "TRUE",
}


def _effective(name: str) -> dict[str, str]:
    mariadbd = shutil.which("mariadbd", path="/usr/sbin:/usr/bin:/usr/local/sbin")
    assert mariadbd, "mariadbd is not installed (make test installs mariadb-server)"
    result = subprocess.run(
        [mariadbd, f"--defaults-file={DEPLOY / name}", "--verbose", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"mariadbd refuses {name}:\n{result.stderr[-2000:]}"
    table = result.stdout[result.stdout.index("Variables (--variable-name=value)") :]
    values = {}
    for line in table.splitlines()[3:]:
        parts = line.split(maxsplit=1)
        if len(parts) == 2:
            values[parts[0]] = parts[1].strip()
    return values


@pytest.mark.parametrize("name", ["primary.cnf", "replica.cnf"])
def test_the_server_options_are_known_and_set_durability_and_gtid_binlogs(name: str) -> None:
    values = _effective(name)
    assert {key: values.get(key) for key in BOTH} == BOTH


def test_the_replica_is_read_only_recovers_its_relay_log_and_has_its_own_id() -> None:
    primary, replica = _effective("primary.cnf"), _effective("replica.cnf")
    assert replica["read-only"] == "TRUE" and primary["read-only"] == "FALSE"
    assert replica["relay-log-recovery"] == "TRUE"
    assert primary["server-id"] != replica["server-id"]


def test_a_misspelt_option_is_refused(tmp_path: Path) -> None:
    # The check above is only worth something if mariadbd rejects what it does not know.
    broken = tmp_path / "broken.cnf"
    broken.write_text((DEPLOY / "primary.cnf").read_text() + "sync_binlgo = 1\n")
    mariadbd = shutil.which("mariadbd", path="/usr/sbin:/usr/bin:/usr/local/sbin")
    assert mariadbd
    result = subprocess.run(
        [mariadbd, f"--defaults-file={broken}", "--verbose", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0 and "sync_binlgo" in result.stderr
