"""The database out of reach (a failover, a restart): the API answers 503 "send it again",
never a 500, writes nothing half, and serves again by itself once the database is back.

The app reaches MariaDB through a TCP proxy the test cuts: open connections end and new ones
are refused, as when a primary stops and before DATABASE_URL names its replacement.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url

from backend.composition.container import Container
from backend.platform.config import load_settings
from sql.migrate import upgrade
from tests.conftest import mariadb_database_url
from tests.integration.pools_support import Api, make_world, open_pool, problem_fields
from tests.integration.tcp_proxy import TcpProxy


def test_the_api_answers_503_while_the_database_is_unreachable_then_recovers(tmp_path: Path) -> None:
    url = make_url(mariadb_database_url("outage"))
    upgrade(url.render_as_string(hide_password=False))
    with TcpProxy(url.host or "127.0.0.1", url.port or 3306) as proxy:
        proxied = url.set(host=proxy.host, port=proxy.port).render_as_string(hide_password=False)
        container = Container(load_settings(DATABASE_URL=proxied, VAR_DIR=str(tmp_path)))
        try:
            api = Api(make_world(container))
            body = open_pool().model_dump(mode="json")
            assert api.call("GET", "manager", "/pools").status_code == 200

            proxy.cut()
            for method, path, payload in (("GET", "/pools", None), ("POST", "/pools", body)):
                answer = api.call(method, "manager", path, payload)
                assert answer.status_code == 503, (method, answer.get_data(as_text=True))
                problem_fields(answer)  # a problem document
                assert answer.get_json()["detail"].startswith("the database is unavailable")
                assert answer.headers["Retry-After"] == "30"

            proxy.restore()
            # The client sends it again. The writers' pooled connection from before the cut
            # fails its first use after it (the pool then drops its connections): one more
            # 503, never a 500.
            statuses = []
            for _ in range(3):
                answer = api.call("POST", "manager", "/pools", body)
                statuses.append(answer.status_code)
                if answer.status_code != 503:
                    break
            assert statuses in ([201], [503, 201]), (statuses, answer.get_json())
            listed = api.call("GET", "manager", "/pools").get_json()
            assert [p["name"] for p in listed["items"]] == [body["name"]], "a cut-off write left a pool"
        finally:
            container.db.dispose()
