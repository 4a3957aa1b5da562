"""A throwaway MariaDB primary + replica pair, for tests that need real replication.

Both servers are private mariadbd processes with their own datadirs under one temporary
directory, listening on free loopback ports; the system MariaDB is never touched. The pair
replicates with GTIDs (MASTER_USE_GTID=slave_pos), which is what read-your-writes relies on.

    with replication_pair() as pair:
        pair.primary_url, pair.replica_url     # SQLAlchemy URLs of the `pools` database
        pair.stop_sql_thread() / pair.start_sql_thread()
        with pair.hold_applier(): ...          # replica keeps running but falls behind
        pair.kill_replica() / pair.start_replica()
"""

from __future__ import annotations

import contextlib
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pymysql
import pymysql.cursors

START_TIMEOUT_SECONDS = 30.0
REPLICATION_TIMEOUT_SECONDS = 20.0
DATABASE = "pools"

# Small and unsynced: the data is thrown away, so start-up time is all that matters. Writes
# still reach the OS on every commit (flush_log_at_trx_commit=2), so a SIGKILLed server
# recovers them, which the "replica killed" tests depend on.
_COMMON_ARGS = (
    "--bind-address=127.0.0.1",
    "--skip-name-resolve",
    "--innodb-buffer-pool-size=32M",
    "--innodb-log-file-size=8M",
    "--innodb-flush-log-at-trx-commit=2",
    "--skip-innodb-doublewrite",
    "--key-buffer-size=1M",
    "--aria-pagecache-buffer-size=8M",
    "--performance-schema=OFF",
    "--max-connections=100",
    "--character-set-server=utf8mb4",
    "--collation-server=utf8mb4_bin",
    "--gtid-strict-mode=ON",
)


class ServerError(RuntimeError):
    """A server of the pair did not start, or replication did not reach the expected state."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> list[str]:
    """A command prefix that has the kernel SIGKILL the server if pytest itself dies.

    A SIGKILLed pytest (a CI timeout) runs no finaliser; without this its servers would
    keep running on the runner. setpriv execs the server, so no Python runs in the child.
    """
    setpriv = shutil.which("setpriv")
    return [setpriv, "--pdeathsig", "KILL"] if setpriv and sys.platform.startswith("linux") else []


def _binary(*names: str) -> str:
    for name in names:
        found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/local/sbin")
        if found:
            return found
    raise ServerError(f"none of {names} found on PATH; install mariadb-server")


@dataclass
class MariaDBServer:
    name: str
    server_id: int
    root: Path
    extra_args: tuple[str, ...]
    port: int = 0
    # A production options file (deploy/mariadb/) read first; the harness's own options,
    # given after it, still win (paths, ports, small buffers).
    defaults_file: Path | None = None
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def datadir(self) -> Path:
        return self.root / "data"

    @property
    def socket_path(self) -> Path:
        return self.root / "mysqld.sock"

    @property
    def error_log(self) -> Path:
        return self.root / "error.log"

    @property
    def console_log(self) -> Path:
        return self.root / "console.log"

    def url(self, database: str | None = DATABASE) -> str:
        return f"mysql+pymysql://root@127.0.0.1:{self.port}/{database or ''}?charset=utf8mb4"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def spawn(self) -> None:
        """Launch mariadbd; `wait_ready` then blocks until it accepts connections."""
        if self.running:
            raise ServerError(f"{self.name} is already running")
        self.port = self.port or free_port()
        args = [
            *_die_with_parent(),
            _binary("mariadbd", "mysqld"),
            # must come first; either ignores /etc/mysql entirely
            f"--defaults-file={self.defaults_file}" if self.defaults_file else "--no-defaults",
            "--user=root",
            f"--datadir={self.datadir}",
            f"--socket={self.socket_path}",
            f"--port={self.port}",
            f"--pid-file={self.root / 'mysqld.pid'}",
            f"--log-error={self.error_log}",
            f"--tmpdir={self.root}",
            f"--server-id={self.server_id}",
            *_COMMON_ARGS,
            *self.extra_args,
        ]
        with self.console_log.open("ab") as console:
            self.process = subprocess.Popen(args, stdout=console, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = START_TIMEOUT_SECONDS) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self.process is None or self.process.poll() is not None:
                code = None if self.process is None else self.process.returncode
                raise ServerError(f"{self.name} mariadbd exited with {code}\n{self.log_tail()}")
            try:
                self.connect().close()
                return
            except pymysql.err.OperationalError:
                if time.monotonic() > deadline:
                    self.kill()
                    raise ServerError(
                        f"{self.name} mariadbd not ready after {timeout:.0f}s\n{self.log_tail()}"
                    ) from None
                time.sleep(0.05)

    def start(self, timeout: float = START_TIMEOUT_SECONDS) -> None:
        self.spawn()
        self.wait_ready(timeout)

    def connect(self) -> pymysql.connections.Connection[Any]:
        # The unix socket: the harness's own statements never depend on the TCP port.
        return pymysql.connect(
            unix_socket=str(self.socket_path),
            user="root",
            autocommit=True,
            connect_timeout=2,
            cursorclass=pymysql.cursors.DictCursor,
        )

    def query(self, sql: str, args: tuple[Any, ...] | None = None) -> list[dict[str, Any]]:
        conn = self.connect()
        try:
            with conn.cursor() as cur:
                cur.execute(sql, args)
                return list(cur.fetchall())
        finally:
            conn.close()

    def stop(self, timeout: float = 20.0) -> None:
        """Clean shutdown (SIGTERM), escalating to SIGKILL if it hangs."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def kill(self) -> None:
        """SIGKILL: the server vanishes mid-flight, as in a crash or an OOM kill."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process = None

    def log_tail(self, lines: int = 40) -> str:
        parts = []
        for path in (self.console_log, self.error_log):
            if path.exists():
                tail = path.read_text(errors="replace").splitlines()[-lines:]
                parts.append(f"--- {path} (last {len(tail)} lines) ---\n" + "\n".join(tail))
        return "\n".join(parts) or f"(no log written under {self.root})"


class ReplicationPair:
    def __init__(self, base: Path) -> None:
        self.base = base
        self.repl_password = secrets.token_urlsafe(18)
        self.primary = MariaDBServer(
            "primary",
            1,
            base / "primary",
            ("--log-bin=primary-bin", "--binlog-format=ROW"),
        )
        self.replica = MariaDBServer(
            "replica",
            2,
            base / "replica",
            # No --skip-slave-start: a restarted replica resumes replicating by itself, as a
            # production replica does after a crash.
            ("--read-only", "--relay-log=replica-relay"),
        )

    @property
    def primary_url(self) -> str:
        return self.primary.url()

    @property
    def replica_url(self) -> str:
        return self.replica.url()

    # -- lifecycle --------------------------------------------------------------
    def start(self) -> None:
        seed = self.base / "seed"
        _install_datadir(seed)
        for server in (self.primary, self.replica):
            server.root.mkdir(parents=True)
            # One bootstrap copied twice: both start from identical system tables and an
            # empty binlog, so the replica needs no initial snapshot of the primary.
            shutil.copytree(seed, server.datadir)
        shutil.rmtree(seed)
        self._start_both()
        self.primary.query("CREATE USER 'repl'@'127.0.0.1' IDENTIFIED BY %s", (self.repl_password,))
        self.primary.query("GRANT REPLICATION SLAVE ON *.* TO 'repl'@'127.0.0.1'")
        self.primary.query(f"CREATE DATABASE `{DATABASE}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
        self.replica.query(
            "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=%s, MASTER_USER='repl', "
            "MASTER_PASSWORD=%s, MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1",
            (self.primary.port, self.repl_password),
        )
        self.replica.query("START SLAVE")
        self.wait_replicating()
        self.wait_caught_up()

    def _start_both(self) -> None:
        # Started together (InnoDB start-up is most of the wait), with a fresh port on the
        # rare loss of the free-port race to another process.
        for attempt in range(3):
            for server in (self.primary, self.replica):
                if not server.running:
                    server.spawn()
            try:
                for server in (self.primary, self.replica):
                    server.wait_ready()
                return
            except ServerError:
                lost_port = any(
                    not s.running and "already in use" in s.log_tail() for s in (self.primary, self.replica)
                )
                if not lost_port or attempt == 2:
                    raise
                for server in (self.primary, self.replica):
                    if not server.running:
                        server.port = 0
                        server.error_log.unlink(missing_ok=True)
                        server.console_log.unlink(missing_ok=True)

    def close(self) -> None:
        # The data is disposable, so SIGKILL rather than waiting for a clean shutdown.
        for server in (self.replica, self.primary):
            server.kill()
        shutil.rmtree(self.base, ignore_errors=True)

    # -- replication control ----------------------------------------------------
    def slave_status(self) -> dict[str, Any]:
        rows = self.replica.query("SHOW SLAVE STATUS")
        if not rows:
            raise ServerError("replica has no replication configured")
        return rows[0]

    def wait_replicating(self, timeout: float = REPLICATION_TIMEOUT_SECONDS) -> None:
        """Until both replication threads report Yes."""
        deadline = time.monotonic() + timeout
        while True:
            status = self.slave_status()
            if status["Slave_IO_Running"] == "Yes" and status["Slave_SQL_Running"] == "Yes":
                return
            if time.monotonic() > deadline:
                raise ServerError(
                    "replication not running: "
                    f"IO={status['Slave_IO_Running']} ({status['Last_IO_Error']!r}), "
                    f"SQL={status['Slave_SQL_Running']} ({status['Last_SQL_Error']!r})\n"
                    f"{self.replica.log_tail()}"
                )
            time.sleep(0.05)

    def primary_position(self) -> str:
        return str(self.primary.query("SELECT @@gtid_binlog_pos AS pos")[0]["pos"])

    def wait_caught_up(self, timeout: float = REPLICATION_TIMEOUT_SECONDS) -> None:
        """Until the replica has applied everything the primary has binlogged so far."""
        position = self.primary_position()
        rows = self.replica.query("SELECT MASTER_GTID_WAIT(%s, %s) AS waited", (position, timeout))
        if rows[0]["waited"] != 0:
            raise ServerError(
                f"replica did not reach {position} in {timeout:.0f}s: "
                f"it is at {self.replica.query('SELECT @@gtid_slave_pos AS pos')[0]['pos']}"
            )

    def stop_sql_thread(self) -> None:
        """The replica keeps fetching the binlog but applies nothing: it reports
        Slave_SQL_Running=No and Seconds_Behind_Master=NULL."""
        self.replica.query("STOP SLAVE SQL_THREAD")

    def start_sql_thread(self) -> None:
        self.replica.query("START SLAVE SQL_THREAD")
        self.wait_replicating()

    @contextlib.contextmanager
    def hold_applier(self) -> Iterator[None]:
        """True lag: both threads keep running, but the SQL thread cannot commit what it
        applies, so Seconds_Behind_Master grows from the first write made meanwhile.

        FLUSH TABLES WITH READ LOCK is what a backup tool takes on a replica, the commonest
        real cause of this; reads on the replica still work while it is held.
        """
        conn = self.replica.connect()
        try:
            with conn.cursor() as cur:
                cur.execute("FLUSH TABLES WITH READ LOCK")
            yield
        finally:
            with contextlib.suppress(pymysql.err.Error), conn.cursor() as cur:
                cur.execute("UNLOCK TABLES")
            conn.close()

    def wait_lag_at_least(self, seconds: float, timeout: float = REPLICATION_TIMEOUT_SECONDS) -> float:
        """Until the replica reports at least `seconds` behind; returns what it reported."""
        deadline = time.monotonic() + timeout
        while True:
            lag = self.slave_status()["Seconds_Behind_Master"]
            if lag is not None and lag >= seconds:
                return float(lag)
            if time.monotonic() > deadline:
                raise ServerError(f"replica lag stayed at {lag!r}, never reached {seconds}s")
            time.sleep(0.1)

    def kill_replica(self) -> None:
        self.replica.kill()

    def stop_replica(self) -> None:
        self.replica.stop()

    def start_replica(self) -> None:
        """Restart on the same port (clients hold its URL) and wait until it replicates."""
        self.replica.start()
        self.wait_replicating()


def _install_datadir(datadir: Path) -> None:
    result = subprocess.run(
        [
            _binary("mariadb-install-db", "mysql_install_db"),
            "--no-defaults",
            "--auth-root-authentication-method=normal",
            f"--datadir={datadir}",
            "--user=root",
            "--skip-test-db",
            "--skip-name-resolve",
            "--innodb-log-file-size=8M",
            "--innodb-buffer-pool-size=32M",
        ],
        capture_output=True,
        text=True,
        timeout=START_TIMEOUT_SECONDS,
        check=False,
    )
    if result.returncode != 0:
        raise ServerError(
            f"mariadb-install-db failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
        )


def installed_server(
    root: Path,
    name: str,
    server_id: int,
    *,
    defaults_file: Path | None = None,
    extra_args: tuple[str, ...] = (),
) -> MariaDBServer:
    """A server with a fresh data directory under `root`/`name`, not started yet."""
    server = MariaDBServer(name, server_id, root / name, extra_args, defaults_file=defaults_file)
    server.root.mkdir(parents=True)
    _install_datadir(server.datadir)
    return server


@contextlib.contextmanager
def replication_pair() -> Iterator[ReplicationPair]:
    # A short path of our own, not pytest's tmp_path: unix socket paths are capped at 107
    # bytes, and the directory must go even when the test session is interrupted.
    base = Path(tempfile.mkdtemp(prefix="pools-repl-"))
    pair = ReplicationPair(base)
    try:
        pair.start()
        yield pair
    finally:
        pair.close()
