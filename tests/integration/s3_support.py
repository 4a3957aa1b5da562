"""A real S3-compatible server on 127.0.0.1 for the document vault tests: moto's server, run
in-process on its own thread and spoken to over HTTP like any S3 endpoint. No tests here.

Every server in one process shares moto's in-memory state, so each test takes a bucket of its
own (`unique_bucket`) rather than relying on a fresh server being empty.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from moto.server import ThreadedMotoServer

# Fake credentials, handed to the client as arguments: moto accepts any, and the tests never
# read (or need) AWS settings from the environment.
ACCESS_KEY = "testing"
SECRET_KEY = "testing"
REGION = "us-east-1"

# The server logs every request through werkzeug to stderr; the tests read the store's answers,
# not its log.
logging.getLogger("werkzeug").setLevel(logging.ERROR)


@dataclass
class S3Server:
    server: ThreadedMotoServer
    endpoint_url: str
    running: bool = True

    def stop(self) -> None:
        """Stop listening: the port then refuses connections (an outage)."""
        if self.running:
            self.server.stop()
            self.running = False


def unique_bucket() -> str:
    return f"vault-{uuid.uuid4().hex[:16]}"


@contextlib.contextmanager
def s3_server() -> Iterator[S3Server]:
    # Port 0, not replication.free_port(): the kernel picks the port as the server binds it, so
    # no other process can take it in between; and a failed bind inside moto's thread would
    # leave start() waiting for ever, since it waits for the server without a timeout.
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    running = S3Server(server=server, endpoint_url=f"http://{host}:{port}")
    try:
        yield running
    finally:
        running.stop()
