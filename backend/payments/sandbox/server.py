"""The HTTP side: a WSGI app speaking Stripe's API, and a listener that can go down and come back.

Per request: count it and apply any armed fault, authenticate, route, honour the idempotency key,
then run the operation under the store lock. The listener is the standard library's threaded
WSGI server on 127.0.0.1 only; it answers HTTP/1.0, one request per connection, so that "down"
really refuses every next request instead of serving it on a kept-alive connection."""

from __future__ import annotations

import hmac
import logging
import socketserver
import threading
from collections.abc import Iterable
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map
from werkzeug.wrappers import Request, Response

from backend.payments.sandbox.faults import ApiFaults, Fault
from backend.payments.sandbox.idempotency import IdempotencyCache, Stored, fingerprint
from backend.payments.sandbox.routes import Handler
from backend.payments.sandbox.store import API_VERSION, CURRENT_REQUEST, RequestContext, Store, new_id
from backend.payments.sandbox.wire import ApiError, dumps, parse_params

logger = logging.getLogger(__name__)


class SandboxApp:
    def __init__(self, *, api_key: str, store: Store, cache: IdempotencyCache, faults: ApiFaults,
                 routes: tuple[Map, dict[str, Handler]], stopping: threading.Event) -> None:
        self._api_key = api_key
        self._store = store
        self._cache = cache
        self._faults = faults
        self._map, self._handlers = routes
        self._stopping = stopping

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        response = self.respond(Request(environ))
        return response(environ, start_response)

    def respond(self, request: Request) -> Response:
        request_id = new_id("req", 14)
        fault, latency = self._faults.observe(request.method, request.path)
        self._pause(latency)
        try:
            self._early_fault(fault)
            self._authenticate(request)
            endpoint, args = self._route(request)
        except ApiError as exc:
            return self._error(exc, request_id)
        pairs = list(request.args.items(multi=True))
        if request.method == "POST":
            pairs += list(request.form.items(multi=True))
        key = request.headers.get("Idempotency-Key") if request.method == "POST" else None
        if key:
            try:
                stored = self._cache.begin(key, fingerprint(request.method, request.path, pairs))
            except ApiError as exc:
                return self._error(exc, request_id, key)
            if stored is not None:
                return self._replay(stored, request_id, key)
        status, body, keep = 500, b"", False
        try:
            if fault is not None and fault.kind == "timeout":
                self._pause(fault.seconds)  # the key stays "in progress" meanwhile: a retry gets 409
            status, body, keep = self._execute(self._handlers[endpoint], pairs, args,
                                               RequestContext(request_id, key))
        finally:
            if key and keep:
                self._cache.finish(key, status, body, request_id)
            elif key:
                self._cache.abandon(key)
        if fault is not None and fault.kind == "accept_then_fail":
            return self._error(_injected(500), new_id("req", 14), key)
        return self._response(status, body, request_id, key)

    def _early_fault(self, fault: Fault | None) -> None:
        """The faults that strike before the request runs: it creates nothing and stores nothing."""
        if fault is not None and fault.kind == "error":
            raise _injected(fault.status)
        if fault is not None and fault.kind == "timeout" and not fault.processed:
            self._pause(fault.seconds)
            raise _injected(500)

    def _route(self, request: Request) -> tuple[str, dict[str, str]]:
        try:
            endpoint, args = self._map.bind_to_environ(request.environ).match()
        except (NotFound, MethodNotAllowed):
            raise ApiError(404, "invalid_request_error", f"Unrecognized request URL ({request.method}: "
                           f"{request.path}).", stored=False) from None
        return str(endpoint), {k: str(v) for k, v in args.items()}

    def _execute(self, handler: Handler, pairs: list[tuple[str, str]], args: dict[str, str],
                 context: RequestContext) -> tuple[int, bytes, bool]:
        token = CURRENT_REQUEST.set(context)
        try:
            params = parse_params(pairs)
            with self._store.lock:
                result = handler(params, args)
                body = dumps(self._store.expand(self._store.render(result), params))
            return 200, body, True
        except ApiError as exc:
            return exc.status, dumps(exc.body()), exc.stored
        except Exception:
            # A bug in the sandbox, not a gateway answer: never stored, so a retry runs again.
            logger.exception("sandbox: %s failed", context.request_id)
            return 500, dumps(_injected(500).body()), False
        finally:
            CURRENT_REQUEST.reset(token)

    def _authenticate(self, request: Request) -> None:
        header = request.headers.get("Authorization", "")
        key: str | None = None
        if header.startswith("Bearer "):
            key = header[len("Bearer "):].strip()
        elif request.authorization is not None and request.authorization.type == "basic":
            key = request.authorization.username
        if not key:
            raise ApiError(401, "invalid_request_error", "You did not provide an API key. You need to "
                           "provide your API key in the Authorization header, using Bearer auth.",
                           stored=False)
        if not hmac.compare_digest(key.encode(), self._api_key.encode()):
            masked = key[:8] + "*" * max(0, len(key) - 12) + key[-4:] if len(key) > 12 else "****"
            raise ApiError(401, "invalid_request_error", f"Invalid API Key provided: {masked}",
                           code="api_key_invalid", stored=False)

    def _pause(self, seconds: float) -> None:
        if seconds > 0:
            self._stopping.wait(seconds)  # cut short when the sandbox stops

    def _replay(self, stored: Stored, request_id: str, key: str) -> Response:
        response = self._response(stored.status, stored.body, request_id, key)
        response.headers["Idempotent-Replayed"] = "true"
        response.headers["Original-Request"] = stored.request_id
        return response

    def _error(self, error: ApiError, request_id: str, key: str | None = None) -> Response:
        return self._response(error.status, dumps(error.body()), request_id, key)

    def _response(self, status: int, body: bytes, request_id: str, key: str | None) -> Response:
        response = Response(body, status=status, content_type="application/json")
        response.headers["Request-Id"] = request_id
        response.headers["Stripe-Version"] = API_VERSION
        response.headers["Cache-Control"] = "no-cache, no-store"
        if key:
            response.headers["Idempotency-Key"] = key
        return response


def _injected(status: int) -> ApiError:
    if status == 429:
        return ApiError(429, "invalid_request_error", "Too many requests hit the API too quickly.",
                        code="rate_limit", stored=False)
    return ApiError(status, "api_error", "An unknown error occurred in the sandbox gateway (injected fault).",
                    stored=False)


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        # The access log would print query strings; tests read request counts instead.
        logger.debug("sandbox: " + format, *args)


class _Server(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    request_queue_size = 1024  # a thousand concurrent payments must queue, not be refused
    allow_reuse_address = True  # "up" binds the same port again at once

    def server_bind(self) -> None:
        # HTTPServer.server_bind resolves the host's FQDN, a DNS lookup this machine may never answer.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), int(self.server_address[1])
        self.setup_environ()

    def handle_error(self, request: Any, client_address: Any) -> None:
        logger.debug("sandbox: connection from %s failed", client_address, exc_info=True)


class Listener:
    """Serves `app` on 127.0.0.1; `stop` closes the socket (connection refused), `start` reopens
    it on the same port."""

    def __init__(self, app: WSGIApplication, port: int = 0) -> None:
        self._app = app
        self._port = port
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._port

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> int:
        with self._lock:
            if self._server is None:
                server = _Server(("127.0.0.1", self._port), _QuietHandler)
                server.set_app(self._app)
                self._port = int(server.server_address[1])
                self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                                name=f"sandbox-api-{self._port}", daemon=True)
                self._thread.start()
                self._server = server
            return self._port

    def stop(self) -> None:
        with self._lock:
            server, thread, self._server, self._thread = self._server, self._thread, None, None
            if server is not None:
                server.shutdown()
                server.server_close()
            if thread is not None:
                thread.join()
