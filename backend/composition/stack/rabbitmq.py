"""The local topology's RabbitMQ node: its node name, the system user its start script runs
as, where its files live in its folder, the environment that start script reads and the text
of its configuration file. Pure: layout.py puts the node in the plan, bootstrap.py writes the
files."""

from __future__ import annotations

from pathlib import Path

from backend.composition.stack.ports import Ports

SYSTEM_USER = "rabbitmq"
"""Debian's rabbitmq-server drops root for this user, so when the stack runs as root the
node's folder must be this user's."""
ENABLED_PLUGINS = "[rabbitmq_prometheus].\n"
"""The enabled_plugins file: the metrics plugin Prometheus scrapes."""


def node_name(ports: Ports) -> str:
    # A node of its own beside any broker the machine already runs.
    return f"pools-stack-{ports.base}@localhost"


def pid_file(home: Path) -> Path:
    return home / "rabbitmq.pid"


def rabbitmq_env(ports: Ports, home: Path) -> dict[str, str]:
    """The node's settings, read by its start script; `home` is the node's folder."""
    return {
        "RABBITMQ_NODENAME": node_name(ports),
        "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
        "RABBITMQ_NODE_PORT": str(ports.rabbitmq),
        "RABBITMQ_DIST_PORT": str(ports.rabbitmq_distribution),
        "RABBITMQ_CONFIG_FILE": str(home / "rabbitmq.conf"),
        "RABBITMQ_ENABLED_PLUGINS_FILE": str(home / "enabled_plugins"),
        "RABBITMQ_MNESIA_BASE": str(home / "mnesia"),
        "RABBITMQ_LOG_BASE": str(home / "log"),
        "RABBITMQ_PID_FILE": str(pid_file(home)),
    }


def rabbitmq_config(ports: Ports) -> str:
    """rabbitmq.conf: AMQP and the Prometheus plugin's metrics on loopback, and the guest
    user from loopback only."""
    return (
        f"listeners.tcp.default = 127.0.0.1:{ports.rabbitmq}\n"
        f"prometheus.tcp.ip = 127.0.0.1\n"
        f"prometheus.tcp.port = {ports.rabbitmq_metrics}\n"
        "loopback_users.guest = true\n"
    )
