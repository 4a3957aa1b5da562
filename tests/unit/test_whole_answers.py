"""gunicorn's responses, as `app.py serve` installs them: status line, headers and body leave
in one write, so an app server killed between the two cannot hand nginx headers without a
body (backend/composition/whole_answers.py). Real gunicorn parsing and responses over a real
socket pair; only the writes are counted on their way to the socket."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from gunicorn.config import Config
from gunicorn.http import wsgi
from gunicorn.http.parser import RequestParser

from backend.composition.whole_answers import WholeAnswerResponse, install


class _CountedSocket:
    """The server's end of the pair, noting what each sendall carried."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.writes: list[bytes] = []

    def sendall(self, data: bytes) -> None:
        self.writes.append(bytes(data))
        self.sock.sendall(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.sock, name)


@pytest.fixture
def pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    server, client = socket.socketpair()
    yield server, client
    server.close()
    client.close()


def _answer(
    pair: tuple[socket.socket, socket.socket],
    request: bytes,
    status: str,
    headers: list[tuple[str, str]],
    body: list[bytes],
) -> tuple[list[bytes], bytes]:
    """Serve one request as gunicorn's worker does; the writes made and what the client read."""
    server, client = pair
    client.sendall(request)
    cfg = Config()
    counted = _CountedSocket(server)
    req = next(iter(RequestParser(cfg, server, ("127.0.0.1", 1))))
    resp, _environ = wsgi.create(req, counted, ("127.0.0.1", 1), ("127.0.0.1", 8000), cfg)
    resp.start_response(status, headers)
    for part in body:
        resp.write(part)
    resp.close()
    server.shutdown(socket.SHUT_WR)
    received = b""
    while chunk := client.recv(65536):
        received += chunk
    return counted.writes, received


def test_plain_gunicorn_sends_headers_and_body_apart(pair: tuple[socket.socket, socket.socket]) -> None:
    """Why the module exists: without it the headers leave on their own."""
    assert wsgi.Response is not WholeAnswerResponse
    writes, received = _answer(
        pair, b"GET /x HTTP/1.1\r\nHost: a\r\n\r\n", "200 OK", [("Content-Length", "5")], [b"hello"]
    )
    assert len(writes) == 2 and writes[1] == b"hello" and received.endswith(b"\r\n\r\nhello")


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wsgi, "Response", wsgi.Response)  # restored after the test
    install()
    assert wsgi.Response is WholeAnswerResponse


@pytest.mark.usefixtures("installed")
def test_an_answer_leaves_in_one_write(pair: tuple[socket.socket, socket.socket]) -> None:
    writes, received = _answer(
        pair,
        b"GET /x HTTP/1.1\r\nHost: a\r\n\r\n",
        "200 OK",
        [("Content-Length", "5"), ("Content-Type", "text/plain")],
        [b"hello"],
    )
    assert len(writes) == 1
    assert writes[0] == received and received.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"Content-Length: 5\r\n" in received and received.endswith(b"\r\n\r\nhello")


@pytest.mark.usefixtures("installed")
def test_an_answer_without_a_body_still_sends_its_headers(pair: tuple[socket.socket, socket.socket]) -> None:
    """204, or an app that returns no body bytes: the headers go out when the response closes."""
    writes, received = _answer(pair, b"DELETE /x HTTP/1.1\r\nHost: a\r\n\r\n", "204 No Content", [], [])
    assert len(writes) == 1 and received.startswith(b"HTTP/1.1 204 No Content\r\n")
    assert received.endswith(b"\r\n\r\n")


@pytest.mark.usefixtures("installed")
def test_a_streamed_answer_carries_its_headers_with_the_first_chunk(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    writes, received = _answer(
        pair, b"GET /x HTTP/1.1\r\nHost: a\r\n\r\n", "200 OK", [], [b"first", b"second"]
    )
    assert b"Transfer-Encoding: chunked\r\n" in writes[0] and writes[0].endswith(b"\r\n\r\n5\r\nfirst\r\n")
    assert received.endswith(b"5\r\nfirst\r\n6\r\nsecond\r\n0\r\n\r\n")
