"""A TCP proxy on 127.0.0.1 for outage tests: clients connect to the proxy's port instead of
the real service (RabbitMQ, SMTP, ...), and the test can `cut()` the link, which closes every
open connection and refuses new ones, so the client sees what it sees when the service goes
away, while the shared service itself keeps running for everybody else. `restore()` listens
on the same port again. Threads only, no asyncio. No tests here."""

from __future__ import annotations

import contextlib
import socket
import threading
from types import TracebackType

CHUNK = 65536


class _Link:
    """One client connection and its upstream twin; closed when both directions are done."""

    def __init__(self, client: socket.socket, upstream: socket.socket) -> None:
        self.client = client
        self.upstream = upstream
        self._open_directions = 2
        self._lock = threading.Lock()

    def direction_done(self) -> bool:
        """Count one direction finished; True when it was the last one."""
        with self._lock:
            self._open_directions -= 1
            return self._open_directions == 0

    def close(self) -> None:
        for sock in (self.client, self.upstream):
            # shutdown, not just close: it wakes a pump thread blocked in recv() on it and
            # makes the peer see the end of the stream at once.
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()


class TcpProxy:
    """Forwards 127.0.0.1:<port> to target_host:target_port until cut()."""

    def __init__(self, target_host: str, target_port: int, *, connect_timeout: float = 5.0) -> None:
        self.host = "127.0.0.1"
        self.port = 0  # chosen by the kernel at start(), then kept across cut()/restore()
        self._target = (target_host, target_port)
        self._connect_timeout = connect_timeout
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._links: set[_Link] = set()
        self.accepted = 0
        """Connections accepted and forwarded, over the proxy's life."""

    # -- control -----------------------------------------------------------------------

    def start(self) -> TcpProxy:
        self._listen()
        return self

    @property
    def is_cut(self) -> bool:
        with self._lock:
            return self._listener is None

    def cut(self) -> None:
        """An outage as the client sees it: open connections end, new ones are refused."""
        with self._lock:
            listener, self._listener = self._listener, None
            links, self._links = set(self._links), set()
        if listener is not None:
            _close_listener(listener)
        for link in links:
            link.close()

    def restore(self) -> None:
        """The service is reachable again, on the same port."""
        with self._lock:
            if self._listener is not None:
                return
        self._listen()

    def close(self) -> None:
        self.cut()

    def __enter__(self) -> TcpProxy:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- the work ----------------------------------------------------------------------

    def _listen(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # The connections the proxy closed itself sit in TIME_WAIT on this port: without
        # SO_REUSEADDR restore() could not bind it again for a minute.
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, self.port))
        listener.listen(64)
        self.port = int(listener.getsockname()[1])
        with self._lock:
            self._listener = listener
        threading.Thread(
            target=self._accept, args=(listener,), name=f"tcp-proxy-{self.port}", daemon=True
        ).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut(): the listening socket was shut down
            try:
                upstream = socket.create_connection(self._target, timeout=self._connect_timeout)
            except OSError:
                client.close()  # the target itself is down: the client sees a closed connection
                continue
            upstream.settimeout(None)
            link = _Link(client, upstream)
            with self._lock:
                # A connection accepted just as cut() ran must not survive the outage.
                alive = self._listener is listener
                if alive:
                    self._links.add(link)
                    self.accepted += 1
            if not alive:
                link.close()
                return
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(link, source, sink), daemon=True).start()

    def _pump(self, link: _Link, source: socket.socket, sink: socket.socket) -> None:
        try:
            while True:
                data = source.recv(CHUNK)
                if not data:
                    break
                sink.sendall(data)
            # The source finished sending: pass the half-close on, the other way may go on.
            sink.shutdown(socket.SHUT_WR)
        except OSError:
            # One side reset, or cut() closed the link under us: end both directions.
            self._drop(link)
            return
        if link.direction_done():
            self._drop(link)

    def _drop(self, link: _Link) -> None:
        with self._lock:
            self._links.discard(link)
        link.close()


def _close_listener(listener: socket.socket) -> None:
    # On Linux close() alone does not wake a thread blocked in accept(); shutdown() does.
    with contextlib.suppress(OSError):
        listener.shutdown(socket.SHUT_RDWR)
    listener.close()
