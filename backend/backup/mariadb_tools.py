"""The MariaDB programs a backup is made with, and how they are called.

`mariadb-backup` copies a running server's files (it must run on the database's host, with
read access to its data directory), `mbstream` unpacks its stream, `mariadb-binlog` reads
binary logs from the server or from files, and `mariadb` replays them. Credentials go in
a private options file, never on a command line where `ps` would show them.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, BinaryIO, TypeVar

import pymysql
import pymysql.cursors
from sqlalchemy.engine import make_url

_Stream = TypeVar("_Stream", IO[bytes], IO[str])


class BackupToolError(RuntimeError):
    """A MariaDB program failed or is missing; the message carries the end of its output."""


@dataclass(frozen=True)
class ServerAddress:
    host: str
    port: int
    user: str
    password: str
    unix_socket: str | None

    @classmethod
    def from_url(cls, url: str) -> ServerAddress:
        parsed = make_url(url)
        if not parsed.drivername.startswith(("mysql", "mariadb")):
            raise BackupToolError(
                f"backups work on MariaDB; DATABASE_URL names {parsed.drivername} "
                "(the embedded SQLite file is a single file: copy it while the demo is stopped)"
            )
        socket = parsed.query.get("unix_socket")
        return cls(
            host=parsed.host or "127.0.0.1",
            port=parsed.port or 3306,
            user=parsed.username or "root",
            password=parsed.password or "",
            unix_socket=socket if isinstance(socket, str) else None,
        )

    def connect(self) -> pymysql.connections.Connection[Any]:
        if self.unix_socket:
            return pymysql.connect(
                unix_socket=self.unix_socket,
                user=self.user,
                password=self.password,
                autocommit=True,
                cursorclass=pymysql.cursors.DictCursor,
            )
        return pymysql.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            autocommit=True,
            cursorclass=pymysql.cursors.DictCursor,
        )

    def query(self, sql: str, args: tuple[Any, ...] | None = None) -> list[dict[str, Any]]:
        connection = self.connect()
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, args)
                return list(cursor.fetchall())
        finally:
            connection.close()

    @contextlib.contextmanager
    def options_file(self) -> Iterator[Path]:
        """A [client] options file readable by its owner only, removed afterwards."""
        folder = Path(tempfile.mkdtemp(prefix="pools-backup-"))
        path = folder / "client.cnf"
        lines = ["[client]", f"user={self.user}", f"password={self.password}"]
        if self.unix_socket:
            lines.append(f"socket={self.unix_socket}")
        else:
            lines += [f"host={self.host}", f"port={self.port}", "protocol=tcp"]
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write("\n".join(lines) + "\n")
            yield path
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def program(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/local/sbin")
    if not found:
        raise BackupToolError(
            f"{name} is not installed (Debian: apt-get install mariadb-backup mariadb-client)"
        )
    return found


def _piped(stream: _Stream | None) -> _Stream:
    if stream is None:  # only when the caller forgot stdout=PIPE: a bug here, not input
        raise BackupToolError("internal: a program's output was not piped")
    return stream


def _tail(text: bytes | str, lines: int = 15) -> str:
    decoded = text.decode(errors="replace") if isinstance(text, bytes) else text
    return "\n".join(decoded.splitlines()[-lines:])


def run(
    args: Sequence[str], *, stdin: BinaryIO | int | None = None, stdout: BinaryIO | int | None = None
) -> str:
    """Run a program to completion; its stderr is returned, or raised with its exit code."""
    result = subprocess.run(list(args), stdin=stdin, stdout=stdout, stderr=subprocess.PIPE, check=False)
    if result.returncode != 0:
        raise BackupToolError(
            f"{Path(args[0]).name} exited with {result.returncode}:\n{_tail(result.stderr)}"
        )
    return result.stderr.decode(errors="replace")


@contextlib.contextmanager
def streamed_backup(
    options: Path, datadir: str, lsn_dir: Path, *, incremental_lsn: int | None
) -> Iterator[IO[bytes]]:
    """The server's backup as a stream (mbstream format) to read to its end.

    `--extra-lsndir` leaves a copy of the checkpoints and the binlog position beside the
    stream, so the manifest is written without unpacking what was just sealed. The exit
    status is checked once the stream has been read: a backup that failed half-way raises.
    """
    args = [
        program("mariadb-backup"),
        f"--defaults-extra-file={options}",
        "--backup",
        "--stream=mbstream",
        f"--datadir={datadir}",
        f"--target-dir={lsn_dir}",
        f"--extra-lsndir={lsn_dir}",
    ]
    if incremental_lsn is not None:
        args.append(f"--incremental-lsn={incremental_lsn}")
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=errors)
        try:
            yield _piped(process.stdout)
        finally:
            _piped(process.stdout).close()
            code = process.wait()
        if code != 0:
            errors.seek(0)
            raise BackupToolError(f"mariadb-backup exited with {code}:\n{_tail(errors.read())}")


def unpack(stream_file: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    with stream_file.open("rb") as source:
        run([program("mbstream"), "-x", "-C", str(target)], stdin=source)


def prepare(target: Path, incremental: Path | None = None) -> None:
    args = [program("mariadb-backup"), "--prepare", f"--target-dir={target}"]
    if incremental is not None:
        args.append(f"--incremental-dir={incremental}")
    run(args)


def read_checkpoints(folder: Path) -> dict[str, str]:
    """`key = value` lines of xtrabackup_checkpoints and xtrabackup_info, merged."""
    values: dict[str, str] = {}
    for name in ("xtrabackup_checkpoints", "xtrabackup_info"):
        path = folder / name
        if path.exists():
            for line in path.read_text().splitlines():
                key, sep, value = line.partition("=")
                if sep:
                    values[key.strip()] = value.strip()
    return values


_BINLOG_POS = re.compile(
    r"filename '(?P<file>[^']*)', position '(?P<pos>\d+)'(?:, GTID of the last change '(?P<gtid>[^']*)')?"
)


def binlog_position(info: dict[str, str]) -> tuple[str, int, str]:
    """(binlog file, offset, GTID) the backup is consistent with, from xtrabackup_info."""
    found = _BINLOG_POS.search(info.get("binlog_pos", ""))
    if not found:
        raise BackupToolError(
            "the backup records no binlog position: binary logging must be on (deploy/mariadb/primary.cnf)"
        )
    return found["file"], int(found["pos"]), found["gtid"] or ""


def fetch_binlog(options: Path, name: str, folder: Path) -> Path:
    """Copy one binary log from the server, byte for byte, into `folder`/`name`."""
    run(
        [
            program("mariadb-binlog"),
            f"--defaults-extra-file={options}",
            "--read-from-remote-server",
            "--raw",
            f"--result-file={folder}/",
            name,
        ]
    )
    return folder / name


def _binlog_reader(files: Sequence[Path], start_position: int | None, stop_gtid: str | None) -> list[str]:
    args = [program("mariadb-binlog")]
    if start_position is not None:
        args.append(f"--start-position={start_position}")  # an offset in the first file only
    if stop_gtid:
        args.append(f"--stop-position={stop_gtid}")  # a GTID: that transaction is the last one
    return [*args, *map(str, files)]


@contextlib.contextmanager
def decoded_binlogs(files: Sequence[Path]) -> Iterator[Iterator[str]]:
    """The events of binary log files as mariadb-binlog prints them, line by line."""
    process = subprocess.Popen(
        _binlog_reader(files, None, None), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        yield iter(_piped(process.stdout))
    finally:
        _piped(process.stdout).close()
        error = _piped(process.stderr).read()
        if process.wait() != 0:
            raise BackupToolError(f"mariadb-binlog exited with {process.returncode}:\n{_tail(error)}")


def replay_binlogs(
    files: Sequence[Path], socket: Path, *, start_position: int, stop_gtid: str | None
) -> None:
    """Apply binary logs to a server through its unix socket, streamed, never held in memory.

    The decoded events set each transaction's GTID (domain, server id, sequence), so the
    server replayed into continues the original GTID history and replicas can follow it.
    """
    reader = subprocess.Popen(
        _binlog_reader(files, start_position, stop_gtid), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    client = subprocess.run(
        [program("mariadb"), "--no-defaults", f"--socket={socket}", "--user=root", "--binary-mode"],
        stdin=_piped(reader.stdout),
        capture_output=True,
        check=False,
    )
    _piped(reader.stdout).close()
    reader_error = _piped(reader.stderr).read()
    if reader.wait() != 0:
        raise BackupToolError(f"mariadb-binlog exited with {reader.returncode}:\n{_tail(reader_error)}")
    if client.returncode != 0:
        raise BackupToolError(f"replaying the binlogs failed ({client.returncode}):\n{_tail(client.stderr)}")


@contextlib.contextmanager
def scratch_server(datadir: Path, work: Path, *, log_bin: str, server_id: int) -> Iterator[Path]:
    """A private mariadbd on a restored data directory, reachable by its socket only.

    The restore replays binary logs through it with binary logging on, so the restored
    directory carries its own binlog continuing the GTID history the backup stopped at.
    """
    socket = work / "mysqld.sock"
    error_log = work / "mariadbd.err"
    args = [
        program("mariadbd"),
        "--no-defaults",
        f"--datadir={datadir}",
        f"--socket={socket}",
        "--skip-networking",
        f"--pid-file={work / 'mariadbd.pid'}",
        f"--log-error={error_log}",
        f"--tmpdir={work}",
        f"--log-bin={log_bin}",
        "--binlog-format=ROW",
        f"--server-id={server_id}",
        "--gtid-strict-mode=ON",
        "--innodb-buffer-pool-size=128M",
    ]
    if os.geteuid() == 0:
        args.insert(2, "--user=root")
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_socket(process, socket, error_log)
        yield socket
    finally:
        process.terminate()
        try:
            process.wait(120)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for_socket(process: subprocess.Popen[bytes], socket: Path, error_log: Path) -> None:
    deadline = time.monotonic() + 120
    while True:
        if process.poll() is not None:
            log = error_log.read_text(errors="replace") if error_log.exists() else ""
            raise BackupToolError(
                f"mariadbd on the restored data exited with {process.returncode}:\n{_tail(log)}"
            )
        try:
            pymysql.connect(unix_socket=str(socket), user="root", connect_timeout=2).close()
            return
        except pymysql.err.OperationalError:
            if time.monotonic() > deadline:
                process.kill()
                raise BackupToolError(
                    "mariadbd on the restored data did not accept connections in 120 s"
                ) from None
            time.sleep(0.1)


def socket_query(socket: Path, sql: str) -> list[dict[str, Any]]:
    connection = pymysql.connect(
        unix_socket=str(socket), user="root", autocommit=True, cursorclass=pymysql.cursors.DictCursor
    )
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return list(cursor.fetchall())
    finally:
        connection.close()
