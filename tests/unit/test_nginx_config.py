"""deploy/nginx/: the template renders into a configuration `nginx -t` accepts, and what it
says agrees with the app behind it:

* the writes nginx resends after they may have reached a server (non_idempotent) are exactly
  the API's operations that settle a second attempt by its Idempotency-Key;
* the body limit is the app's MAX_CONTENT_LENGTH, HSTS the app's own value, the request-id
  pattern the app's, and the rate limit covers the API's password endpoints and the portal's
  sign-in pages.

nginx itself (Debian's nginx-light) is installed by `make services`; no service runs here.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from backend.api import API_PREFIX, build_router
from backend.composition import web
from backend.platform.observability import _VALID_REQUEST_ID
from portal.shell import password_reset
from portal.shell.session import LOGIN_PATH
from tests.integration.nginx_support import Nginx, renderer

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "deploy" / "nginx" / "nginx.conf.template"
SAMPLE_ID = 123


def _site(tmp_path: Path, **overrides: object) -> object:
    render = renderer()
    certificate = render.write_dev_certificate(tmp_path / "tls")
    fields: dict[str, object] = {
        "prefix": tmp_path,
        "listen": "127.0.0.1:18443",
        "upstreams": (render.Upstream("127.0.0.1:18001"), render.Upstream("127.0.0.1:18002")),
        "certificate": certificate.certificate,
        "certificate_key": certificate.key,
        "worker_user": render.default_worker_user(),
    }
    fields.update(overrides)
    return render.NginxSite(**fields)


def _block(text: str, opening: str) -> str:
    """The text of the `{ ... }` block that starts at the line `opening`."""
    start = text.index(opening)
    depth = 0
    for index in range(text.index("{", start), len(text)):
        depth += {"{": 1, "}": -1}.get(text[index], 0)
        if depth == 0:
            return text[start : index + 1]
    raise AssertionError(f"unbalanced block {opening!r}")


def _directives(text: str) -> str:
    """The configuration without its comments."""
    return "\n".join(line.split("#", 1)[0] for line in text.splitlines())


def test_the_rendered_configuration_passes_nginx_t(tmp_path: Path) -> None:
    render = renderer()
    site = _site(tmp_path)
    conf = render.write_site(site)
    text = conf.read_text()
    assert not re.search(r"@[A-Z_]+@", text), "every placeholder filled"
    assert "server 127.0.0.1:18001 max_fails=1 fail_timeout=10s;" in text
    assert "listen 127.0.0.1:18443 ssl http2;" in text
    nginx = Nginx(prefix=tmp_path, conf=conf.resolve(), port=18443, ca=tmp_path / "tls" / "ca.pem")
    checked = nginx.check()
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr
    # Nothing of the system's nginx: every path it writes is under the prefix.
    for directive in ("pid", "error_log", "access_log", "client_body_temp_path", "proxy_temp_path"):
        for path in re.findall(rf"^\s*{directive}\s+(\S+)", _directives(text), re.MULTILINE):
            assert not path.startswith("/"), f"{directive} {path} is not under the prefix"


@pytest.mark.parametrize(
    ("field", "value"),
    [("listen", "0.0.0.0:443; include /etc/passwd"), ("upstreams", ()), ("login_rate", "5 per second")],
)
def test_the_renderer_refuses_what_would_not_be_one_directive(
    tmp_path: Path, field: str, value: object
) -> None:
    render = renderer()
    with pytest.raises(ValueError):
        render.render(_site(tmp_path, **{field: value}))


def test_a_placeholder_the_renderer_does_not_know_is_an_error(tmp_path: Path) -> None:
    render = renderer()
    with pytest.raises(ValueError, match="NEW_THING"):
        render.render(_site(tmp_path), template="listen @LISTEN@; @NEW_THING@")


def _keyed_route_patterns() -> list[re.Pattern[str]]:
    block = _block(_directives(TEMPLATE.read_text()), "map $request_method:$uri $key_honoured_route")
    return [re.compile(pattern) for pattern in re.findall(r'"~(.+?)"\s+1;', block)]


def test_nginx_resends_a_post_only_where_the_api_settles_it_by_its_key() -> None:
    """A write that may have run is resent to the other server only on the routes whose
    handlers read the Idempotency-Key (and refuse a request without it): anywhere else a
    resent POST could do its work twice."""
    patterns = _keyed_route_patterns()
    assert patterns
    keyed_by_api, keyed_by_nginx = set(), set()
    for op in build_router(object()).operations:  # type: ignore[arg-type]
        if op.method == "GET":
            continue
        path = re.sub(r"\{[a-z_]+\}", str(SAMPLE_ID), op.path)
        route = f"{op.method}:{API_PREFIX}{path}"
        if "idempotency_key" in op.handler.__code__.co_names:
            keyed_by_api.add(route)
        if any(pattern.search(route) for pattern in patterns):
            keyed_by_nginx.add(route)
    assert keyed_by_api, "the books' writes read the key"
    assert keyed_by_nginx == keyed_by_api

    directives = _directives(TEMPLATE.read_text())
    resending = [line.strip() for line in directives.splitlines() if "non_idempotent" in line]
    assert len(resending) == 1, resending
    assert resending[0] in _block(directives, "location @keyed_write")
    # The keyed location is reached only through the map's verdict.
    assert "if ($keyed_write)" in _block(directives, "location /api/ {")


def test_the_edge_agrees_with_the_app_on_limits_headers_and_ids() -> None:
    text = _directives(TEMPLATE.read_text())

    # The body limit: the app's MAX_CONTENT_LENGTH, refused at the edge first.
    tree = ast.parse(Path(web.__file__).read_text())
    limits = [
        keyword.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        for keyword in node.keywords
        if keyword.arg == "MAX_CONTENT_LENGTH"
    ]
    assert len(limits) == 1
    app_limit = eval(compile(ast.Expression(limits[0]), "web.py", "eval"), {"__builtins__": {}})  # noqa: S307 - a literal product
    edge = re.search(r"client_max_body_size (\d+)m;", text)
    assert edge and int(edge[1]) * 1024 * 1024 == app_limit

    # HSTS: the app's value, once (the app's copy hidden).
    assert f'add_header Strict-Transport-Security "{web.HSTS}" always;' in text
    assert "proxy_hide_header Strict-Transport-Security;" in text

    # The request id nginx passes on is one the app keeps (else the two logs would differ).
    request_ids = _block(text, "map $http_x_request_id $edge_request_id")
    assert f'"~{_VALID_REQUEST_ID.pattern}" $http_x_request_id;' in request_ids

    # The rate limit: the API's password endpoints and the portal's sign-in pages.
    public_posts = {
        f"{API_PREFIX}{op.path}"
        for op in build_router(object()).operations  # type: ignore[arg-type]
        if op.method == "POST" and op.path.startswith("/auth/") and op.public
    }
    assert public_posts == {f"{API_PREFIX}/auth/token", f"{API_PREFIX}/auth/refresh"}
    for path in public_posts:
        assert "limit_req zone=password_logins" in _block(text, f"location = {path} {{")
    portal = re.search(r"location ~ (\S+) \{", text)
    assert portal, "the portal's sign-in location"
    for path in (LOGIN_PATH, password_reset.RESET_PATH, password_reset.FORGOT_PATH):
        assert re.fullmatch(portal[1].strip("^$"), path), path
    assert "limit_req zone=password_logins" in _block(text, f"location ~ {portal[1]} {{")


def test_add_header_lives_at_the_server_level_only() -> None:
    """An add_header in a location silently drops every add_header of the server there."""
    text = _directives(TEMPLATE.read_text())
    server = _block(text, "server {")
    for location in re.findall(r"^\s*location [^{]+\{", server, re.MULTILINE):
        assert "add_header" not in _block(server, location.strip()), location
