"""A local stand-in for Twilio's REST API on 127.0.0.1, for the SMS tests: the official SDK
sends to it (TwilioSms with base_url) and it answers as Twilio does. No tests here.

- `POST /2010-04-01/Accounts/{sid}/Messages.json` with HTTP basic auth (account SID, auth
  token) and form fields To, From, Body, StatusCallback: recorded, 201 with a message in
  Twilio's JSON shape (status "queued", SID "SM" + 32 hex digits).
- `fail_with(status, code, message)`: every request answers Twilio's error JSON instead.
- `hold()`: requests are accepted and never answered (a hung API), until `stop()`.
- `stop()` / `start()`: an outage; it comes back on the same port.
- `signed_status_callback(...)`: the POST parameters and X-Twilio-Signature of a status
  callback, as Twilio would send it.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from twilio.request_validator import RequestValidator

from tests.integration.replication import free_port

API_VERSION = "2010-04-01"
_MESSAGES_PATH = re.compile(r"/2010-04-01/Accounts/(?P<sid>[^/]+)/Messages\.json")
_HOLD_SECONDS = 30.0  # a held request is answered at the latest then, or when the server stops


@dataclass(frozen=True)
class ReceivedSms:
    sid: str
    to: str
    from_: str
    body: str
    status_callback: str | None


@dataclass(frozen=True)
class _Failure:
    status: int
    code: int
    message: str


def error_json(status: int, code: int, message: str) -> dict[str, Any]:
    """Twilio's (2010 API) error body."""
    return {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


class TwilioStandIn:
    def __init__(self, account_sid: str, auth_token: str) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.port = free_port()
        self.received: list[ReceivedSms] = []
        self.requests = 0  # every request that reached the server, answered or not
        self._failure: _Failure | None = None
        self._holding = False
        self._release = threading.Event()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._release.clear()
        server = ThreadingHTTPServer(("127.0.0.1", self.port), _handler_for(self))
        # A held request must not keep the test process waiting when the server stops.
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
        self._thread.daemon = True
        self._thread.start()

    def stop(self) -> None:
        self._holding = False
        self._release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def fail_with(self, status: int, code: int, message: str) -> None:
        self._failure = _Failure(status, code, message)

    def succeed(self) -> None:
        self._failure = None

    def hold(self) -> None:
        self._holding = True

    def answer(
        self, path: str, authorization: str | None, form: dict[str, str]
    ) -> tuple[int, dict[str, Any]] | None:
        """The status and JSON body for a request, or None: leave it unanswered (held)."""
        with self._lock:
            self.requests += 1
        if self._holding:
            self._release.wait(_HOLD_SECONDS)
            return None
        refusal = self._refusal(path, authorization, form)
        if refusal is not None:
            return refusal.status, error_json(refusal.status, refusal.code, refusal.message)
        sms = ReceivedSms(
            sid="SM" + uuid.uuid4().hex,
            to=form["To"],
            from_=form["From"],
            body=form.get("Body", ""),
            status_callback=form.get("StatusCallback"),
        )
        with self._lock:
            self.received.append(sms)
        return 201, self._message_json(sms)

    def _refusal(self, path: str, authorization: str | None, form: dict[str, str]) -> _Failure | None:
        """Twilio's checks, in its order: the resource, the credentials, then the message."""
        match = _MESSAGES_PATH.fullmatch(path)
        if match is None:
            return _Failure(404, 20404, f"The requested resource {path} was not found")
        if authorization != _basic(self.account_sid, self.auth_token) or match["sid"] != self.account_sid:
            return _Failure(401, 20003, "Authenticate")
        if self._failure is not None:
            return self._failure
        if not form.get("To"):
            return _Failure(400, 21604, "A 'To' phone number is required.")
        if not form.get("From"):
            return _Failure(400, 21603, "A 'From' phone number is required.")
        return None

    def _message_json(self, sms: ReceivedSms) -> dict[str, Any]:
        now = format_datetime(datetime.now(UTC))
        uri = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{sms.sid}"
        return {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": sms.body,
            "date_created": now,
            "date_sent": None,
            "date_updated": now,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": sms.from_,
            "messaging_service_sid": None,
            "num_media": "0",
            "num_segments": "1",
            "price": None,
            "price_unit": "USD",
            "sid": sms.sid,
            "status": "queued",
            "subresource_uris": {"media": f"{uri}/Media.json"},
            "to": sms.to,
            "uri": f"{uri}.json",
        }


def _basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode("ascii")


def _handler_for(stand_in: TwilioStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        # HTTP/1.0, one request per connection: a kept-alive connection would keep being
        # served by its thread after stop(), and the outage would not be one.
        protocol_version = "HTTP/1.0"

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode("utf-8")
            form = {name: values[0] for name, values in parse_qs(raw, keep_blank_values=True).items()}
            answer = stand_in.answer(self.path, self.headers.get("Authorization"), form)
            if answer is None:
                return  # never answered: the client's timeout is what is under test
            status, payload = answer
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return None  # the test reads what was received, not the access log

    return Handler


def signed_status_callback(
    auth_token: str,
    url: str,
    *,
    message_sid: str,
    status: str,
    account_sid: str,
    to: str = "+447700900123",
    from_: str = "+15005550006",
) -> tuple[dict[str, str], str]:
    """The form parameters Twilio POSTs to a message's StatusCallback, and the
    X-Twilio-Signature it sends with them (HMAC-SHA1 of the URL and the sorted parameters)."""
    params = {
        "AccountSid": account_sid,
        "ApiVersion": API_VERSION,
        "From": from_,
        "MessageSid": message_sid,
        "MessageStatus": status,
        "SmsSid": message_sid,
        "SmsStatus": status,
        "To": to,
    }
    signature = RequestValidator(auth_token).compute_signature(url, params)
    assert isinstance(signature, str)
    return params, signature
