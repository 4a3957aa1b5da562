"""What the stack's processes need before they start, made once: data directories, the
broker's and Prometheus's configuration, nginx's site with a dev certificate; and, once the
stores answer, replication, the exporter's user, the schema, the shared keys and the demo
data. Every step is idempotent, so `up` after `down` reuses the stack's data."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pymysql
import yaml

from backend.composition.stack import rabbitmq
from backend.composition.stack.layout import (
    APP_SERVERS,
    DATABASE,
    NGINX_RENDER,
    ROOT,
    SOCKET_PATH_LIMIT,
    Stack,
    binary,
)
from backend.composition.stack.processes import StackError
from backend.composition.stack.prometheus import stack_prometheus_config

EXPORTER_SQL = ROOT / "deploy" / "mariadb" / "exporter.sql"
_SERVERS = ("mariadb-primary", "mariadb-replica")


def prepare(stack: Stack, *, running_as_root: bool) -> None:
    """Folders and configuration files; a data directory for each MariaDB server."""
    for folder in (stack.folder, stack.logs, stack.var_dir, stack.server_dir("redis")):
        folder.mkdir(parents=True, exist_ok=True)
    for name in _SERVERS:
        if len(str(stack.socket_path(name))) > SOCKET_PATH_LIMIT:
            raise StackError(f"{stack.socket_path(name)} is too long for a socket: pass a shorter --dir")
        datadir = stack.server_dir(name) / "data"
        if not datadir.is_dir():
            _install_datadir(datadir)
    _prepare_rabbitmq(stack, running_as_root)
    _render_nginx(stack)
    prometheus = stack.folder / "prometheus"
    prometheus.mkdir(exist_ok=True)
    (prometheus / "prometheus.yml").write_text(
        yaml.safe_dump(stack_prometheus_config(stack), sort_keys=False)
    )


def _install_datadir(datadir: Path) -> None:
    datadir.parent.mkdir(parents=True, exist_ok=True)
    try:
        _run(
            "mariadb-install-db",
            [
                binary("mariadb-install-db", "mysql_install_db"),
                "--no-defaults",
                "--auth-root-authentication-method=normal",
                f"--datadir={datadir}",
                "--user=root" if os.geteuid() == 0 else f"--user={_user_name()}",
                "--skip-test-db",
                "--skip-name-resolve",
            ],
            timeout=120,
        )
    except StackError:
        shutil.rmtree(datadir, ignore_errors=True)
        raise


def _user_name() -> str:
    import pwd

    return pwd.getpwuid(os.geteuid()).pw_name


def _prepare_rabbitmq(stack: Stack, running_as_root: bool) -> None:
    home = stack.server_dir("rabbitmq")
    for folder in (home, home / "mnesia", home / "log"):
        folder.mkdir(parents=True, exist_ok=True)
    (home / "rabbitmq.conf").write_text(rabbitmq.rabbitmq_config(stack.ports))
    (home / "enabled_plugins").write_text(rabbitmq.ENABLED_PLUGINS)
    if running_as_root:
        # The node's system user must own its files and be able to pass through the stack's
        # folder to reach them.
        stack.folder.chmod(stack.folder.stat().st_mode | 0o011)
        for walked, _dirs, files in os.walk(home):
            shutil.chown(walked, rabbitmq.SYSTEM_USER, rabbitmq.SYSTEM_USER)
            for name in files:
                shutil.chown(Path(walked) / name, rabbitmq.SYSTEM_USER, rabbitmq.SYSTEM_USER)


def _render_nginx(stack: Stack) -> None:
    if (stack.nginx_prefix / "nginx.conf").exists():
        return
    upstreams = [f"--upstream=127.0.0.1:{stack.ports.app_server(n)}" for n in range(1, APP_SERVERS + 1)]
    _run(
        "deploy/nginx/render.py",
        [
            sys.executable,
            str(NGINX_RENDER),
            f"--prefix={stack.nginx_prefix}",
            f"--listen=127.0.0.1:{stack.ports.nginx}",
            *upstreams,
            "--dev-certificate",
        ],
        timeout=60,
    )


def _run(what: str, argv: list[str], *, timeout: float, **options: Any) -> None:
    """Run a set-up step to its end; StackError with its output when it fails."""
    done = subprocess.run(  # noqa: S603 - the stack's own programs, no shell
        argv, capture_output=True, text=True, timeout=timeout, check=False, **options
    )
    if done.returncode != 0:
        raise StackError(f"{what} failed:\n{done.stdout}\n{done.stderr}")


def _connect(stack: Stack, name: str) -> pymysql.connections.Connection[tuple[object, ...]]:
    return pymysql.connect(unix_socket=str(stack.socket_path(name)), user="root", autocommit=True)


def _query(
    stack: Stack, name: str, sql: str, args: tuple[object, ...] | None = None
) -> list[tuple[object, ...]]:
    conn = _connect(stack, name)
    try:
        with conn.cursor() as cur:
            cur.execute(sql, args)
            return list(cur.fetchall())
    finally:
        conn.close()


def set_up_databases(stack: Stack, say: Callable[[str], None]) -> None:
    """The replica follows the primary by GTID; the database and the exporter's user exist.
    Everything is made on the primary and reaches the replica by replication."""
    if not _query(stack, "mariadb-replica", "SHOW SLAVE STATUS"):
        password = secrets.token_urlsafe(18)
        _query(
            stack,
            "mariadb-primary",
            "CREATE OR REPLACE USER 'repl'@'127.0.0.1' IDENTIFIED BY %s",
            (password,),
        )
        _query(stack, "mariadb-primary", "GRANT REPLICATION SLAVE ON *.* TO 'repl'@'127.0.0.1'")
        _query(
            stack,
            "mariadb-replica",
            "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=%s, MASTER_USER='repl', "
            "MASTER_PASSWORD=%s, MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1",
            (stack.ports.primary, password),
        )
        _query(stack, "mariadb-replica", "START SLAVE")
        say("replica: following the primary (GTID)")
    _query(
        stack,
        "mariadb-primary",
        f"CREATE DATABASE IF NOT EXISTS `{DATABASE}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin",
    )
    _create_exporter_user(stack)
    # The app reads from the replica from its first request: it must have the database too.
    position = _query(stack, "mariadb-primary", "SELECT @@gtid_binlog_pos")[0][0]
    waited = _query(stack, "mariadb-replica", "SELECT MASTER_GTID_WAIT(%s, 60)", (position,))[0][0]
    if waited != 0:
        raise StackError(f"the replica did not reach the primary's {position} in 60 s")


def _create_exporter_user(stack: Stack) -> None:
    """deploy/mariadb/exporter.sql as it is, with a password of this stack's, and a .my.cnf
    per server for its exporter (readable by this user only)."""
    folder = stack.server_dir("exporters")
    folder.mkdir(exist_ok=True)
    files = {"primary": stack.ports.primary, "replica": stack.ports.replica}
    if all((folder / f"{role}.my.cnf").exists() for role in files):
        return
    password = secrets.token_urlsafe(18)
    _run(
        "deploy/mariadb/exporter.sql",
        [binary("mariadb", "mysql"), f"--socket={stack.socket_path('mariadb-primary')}", "-u", "root"],
        timeout=60,
        # On stdin, never in the arguments (the process list).
        input=f"SET @pw = '{password}';\n{EXPORTER_SQL.read_text()}",
    )
    for role, port in files.items():
        path = folder / f"{role}.my.cnf"
        path.touch(mode=0o600)
        path.write_text(f"[client]\nuser=exporter\npassword={password}\nhost=127.0.0.1\nport={port}\n")


def migrate_and_seed(stack: Stack, environment: dict[str, str], say: Callable[[str], None]) -> list[str]:
    """The schema, the keys every process shares, the demo data; returns the demo logins' lines."""
    _run(
        "app.py migrate",
        [sys.executable, str(ROOT / "app.py"), "migrate"],
        timeout=600,
        cwd=ROOT,
        env={**environment, **stack.platform_env("migrate")},
    )
    # In this process, before any part starts: two processes making the keys at the same
    # moment would each sign with their own.
    from backend.composition.container import Container
    from backend.platform.config import load_settings
    from backend.seed.demo import seed_demo

    settings = load_settings(**{**stack.platform_env("stack"), "SERVICE_ENDPOINTS": ""})
    container = Container(settings)
    try:
        _ = (container.secret_key, container.jwt_keys_dir, container.internal_tokens)
        logins = seed_demo(container, say)
    finally:
        container.db.dispose()
    return [f"{login.role.value:<9} {login.email:<22} {login.password}" for login in logins]
