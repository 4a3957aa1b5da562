"""gunicorn answers with its status line, headers and body in one write, not two.

gunicorn sends the headers with one `sendall` and the body with the next. Between the two a
worker thread can wait milliseconds for the GIL, and an app server killed there (kill -9, the
OOM killer) leaves nginx holding a response's headers with no body. nginx retries a request
on the other server only while nothing of the answer has arrived; once the headers have, the
client gets a broken connection (seen in the balancer test: `IncompleteRead(0 bytes read, 538
more expected)`). With head and body leaving together, a server that dies has either sent a
whole small answer (the kernel delivers what a dead process had written) or nothing, which
nginx resends to the other server.

An answer larger than the socket's send buffer still leaves in several writes and can be cut
by a kill: no server can make that atomic; the client then sees a broken connection, never a
wrong answer.
"""

from __future__ import annotations

import socket
from typing import Any

from gunicorn.http import wsgi


class _HeadHoldingSocket:
    """A response's socket that keeps the headers back and sends them with the next bytes."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._held = b""
        self.hold_next = False

    def sendall(self, data: bytes) -> None:
        if self.hold_next:
            self.hold_next = False
            self._held += bytes(data)
            return
        if self._held:
            data, self._held = self._held + bytes(data), b""
        self._sock.sendall(data)

    def sendfile(self, file: Any, offset: int = 0, count: int | None = None) -> int:
        self.flush()
        return self._sock.sendfile(file, offset, count)

    def flush(self) -> None:
        if self._held:
            held, self._held = self._held, b""
            self._sock.sendall(held)

    def __getattr__(self, name: str) -> Any:
        # Everything else (fileno, settimeout, ...) is the socket's own.
        return getattr(self._sock, name)


class WholeAnswerResponse(wsgi.Response):  # type: ignore[misc]
    """gunicorn's HTTP/1 response, its headers sent with the first body bytes (or at close)."""

    def __init__(self, req: Any, sock: socket.socket, cfg: Any) -> None:
        super().__init__(req, _HeadHoldingSocket(sock), cfg)

    def send_headers(self) -> None:
        if not self.headers_sent:
            self.sock.hold_next = True
        super().send_headers()

    def close(self) -> None:
        super().close()
        self.sock.flush()


def install() -> None:
    """Make gunicorn's HTTP/1 workers answer with WholeAnswerResponse (in the worker process).

    gunicorn's worker builds each response through `wsgi.create`, which takes the class from
    its module when none is passed; HTTP/2 passes its own and is unaffected."""
    wsgi.Response = WholeAnswerResponse
