"""Benchmark: the portal's callbacks over HTTP, as a browser drives them. A script, not a test;
it prints p50/p95/p99 per callback, cold (first pass) and warm (the rest), for every role.

For a seeded database (seed it first, e.g. `python app.py seed --scale medium`) it creates
a manager who runs the first --pools pools, an investor subscribed today to the open-ended
ones, an analyst granted them and an admin, serves the real app on a loopback port with a
threaded server, and lets --users concurrent users (spread over --roles in turn), each with
a session of their own, sign in and walk their role's pages for --seconds:

1. the Dash pages router callback for the page's path (what a navigation does), then
2. every callback of the returned page whose inputs are all in that page and that does not
   wait for a click (prevent_initial_call): the callbacks a browser fires when the page
   mounts, with the values the layout carries;
3. on a pool page, the transactions grid as it is scrolled: five blocks of 100 rows in
   journal order (each carrying the cursors the last answer left), then one block filtered
   by entry type.

The bench users' own entries (the investor's subscriptions today) are followed by the
snapshot task the worker would run after them, as in production (--cold skips it: every
page then replays its pools' journals on its first view).

By default the server runs in this process (it freezes its start-up heap as app.py does,
backend/platform/heap.py), so the users share its interpreter. --gunicorn-workers N serves with
`app.py serve --workers N` instead, as production runs; set REDIS_URL as well so the
workers share the aggregate cache, as they do in production.

    python bench/portal.py --database-url sqlite:////path/pools.sqlite3 [--users 4]
        [--seconds 30] [--pools 5] [--roles manager,investor,analyst,admin]
        [--gunicorn-workers 2] [--var-dir DIR] [--cold]

On a set seeded with a broker configured (MariaDB, as production seeds it), give --var-dir
the seed's VAR_DIR (its generated secrets open the pools' sealed bank details) and set
CELERY_BROKER_URL as the seed had it: without a broker this process would relay the outbox
the seed left (one event per entry) to the notification consumer inline before it measured.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import logging
import re
import statistics
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from werkzeug.serving import make_server

from backend.composition.web import create_app
from backend.platform.heap import freeze_startup_heap
from bench.seeded_portal import PASSWORD, gunicorn, run_snapshot_tasks, seeded_book


class Browser:
    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def _csrf(self) -> str:
        for cookie in self.jar:
            if "csrf" in cookie.name.lower():
                return cookie.value or ""
        return ""

    def login(self, email: str) -> None:
        page = self.opener.open(self.base + "/login").read().decode()
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        form = {"email": email, "password": PASSWORD, "csrf_token": token.group(1) if token else ""}
        self.opener.open(self.base + "/login", urllib.parse.urlencode(form).encode())

    def get_json(self, path: str) -> Any:
        return json.loads(self.opener.open(self.base + path).read())

    def callback(self, body: dict[str, Any]) -> Any:
        request = urllib.request.Request(  # noqa: S310 - our own loopback http URL
            self.base + "/_dash-update-component",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "X-CSRFToken": self._csrf()},
        )
        return json.loads(self.opener.open(request).read() or b"{}")


def _props(tree: Any, found: dict[str, dict[str, Any]]) -> None:
    """Every component with a string id in a callback answer: {id: props}."""
    if isinstance(tree, dict):
        props = tree.get("props")
        if isinstance(props, dict):
            if isinstance(props.get("id"), str):
                found[props["id"]] = props
            children: Any = props.values()
        else:
            children = tree.values()
        for value in children:
            _props(value, found)
    elif isinstance(tree, list):
        for item in tree:
            _props(item, found)


def _payload(dep: dict[str, Any], props: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    def value(item: dict[str, Any]) -> dict[str, Any] | None:
        if item["id"] not in props:
            return None
        return {
            "id": item["id"],
            "property": item["property"],
            "value": props[item["id"]].get(item["property"]),
        }

    inputs = [value(i) for i in dep["inputs"]]
    state = [value(s) for s in dep.get("state", [])]
    if not inputs or any(i is None for i in inputs) or any(s is None for s in state):
        return None
    outputs = [
        {"id": o.split(".")[0], "property": o.split(".")[1].split("@")[0]}
        for o in dep["output"].strip(".").split("...")
    ]
    return {
        "output": dep["output"],
        "outputs": outputs if dep["output"].startswith("..") else outputs[0],
        "inputs": inputs,
        "state": state,
        "changedPropIds": [f"{i['id']}.{i['property']}" for i in inputs if i],
    }


def walk(browser: Browser, deps: list[dict[str, Any]], path: str, timings: dict[str, list[float]]) -> None:
    router = next(d for d in deps if "_pages_content" in d["output"])
    body = {
        "output": router["output"],
        "outputs": [
            {"id": o.split(".")[0], "property": o.split(".")[1]}
            for o in router["output"].strip(".").split("...")
        ],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": path},
            {"id": "_pages_location", "property": "search", "value": ""},
        ],
        "state": [],
        "changedPropIds": ["_pages_location.pathname"],
    }
    started = time.perf_counter()
    answer = browser.callback(body)
    timings[f"{path} router"].append(time.perf_counter() - started)
    props: dict[str, dict[str, Any]] = {}
    _props(answer, props)
    for dep in deps:
        # What a browser fires when the page mounts: not the callbacks that wait for a click
        # (prevent_initial_call), such as starting a background recompute of every pool.
        if dep.get("prevent_initial_call"):
            continue
        payload = _payload(dep, props)
        if payload is None or "_pages" in dep["output"]:
            continue
        started = time.perf_counter()
        browser.callback(payload)
        timings[f"{path} {dep['output'][:48]}"].append(time.perf_counter() - started)
    grid = next((d for d in deps if "tx-grid.getRowsResponse" in d["output"]), None)
    if grid is not None and "pool-id" in props:
        page_transactions(browser, grid, props["pool-id"].get("data"), path, timings)


GRID_BLOCK = 100  # the transactions grid's cacheBlockSize
GRID_PAGES = 5


def page_transactions(
    browser: Browser, dep: dict[str, Any], pool_id: Any, path: str, timings: dict[str, list[float]]
) -> None:
    """Scroll the transactions grid as the browser does: GRID_PAGES blocks in journal order
    (each request carries the cursors the previous answers left), then the first block
    filtered to one entry type (sorted and filtered on the server)."""
    cursors: Any = {}
    requests: list[dict[str, Any]] = [
        {"startRow": i * GRID_BLOCK, "endRow": (i + 1) * GRID_BLOCK} for i in range(GRID_PAGES)
    ]
    requests.append(
        {
            "startRow": 0,
            "endRow": GRID_BLOCK,
            "filterModel": {"entry_type": {"filterType": "text", "type": "equals", "filter": "valuation"}},
        }
    )
    for index, request in enumerate(requests):
        body = {
            "output": dep["output"],
            "outputs": [
                {"id": o.split(".")[0], "property": o.split(".")[1].split("@")[0]}
                for o in dep["output"].strip(".").split("...")
            ],
            "inputs": [{"id": "tx-grid", "property": "getRowsRequest", "value": request}],
            "state": [
                {"id": "pool-id", "property": "data", "value": pool_id},
                {"id": "tx-cursors", "property": "data", "value": cursors},
            ],
            "changedPropIds": ["tx-grid.getRowsRequest"],
        }
        started = time.perf_counter()
        answer = browser.callback(body)
        label = "tx-grid filtered page" if "filterModel" in request else "tx-grid page"
        timings[f"{path} {label}"].append(time.perf_counter() - started)
        if index < GRID_PAGES:
            cursors = answer.get("response", {}).get("tx-cursors", {}).get("data", cursors)


def _quantile(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--users", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--pools", type=int, default=5)
    parser.add_argument(
        "--gunicorn-workers",
        type=int,
        default=0,
        help="serve with `app.py serve --workers N` (production) instead of in this process",
    )
    parser.add_argument(
        "--roles", default="manager,investor,analyst,admin", help="users are spread over these in turn"
    )
    parser.add_argument("--var-dir", default=None, help="the seed's VAR_DIR (default: a new one)")
    parser.add_argument(
        "--cold",
        action="store_true",
        help="skip the snapshot tasks after the bench users' entries (as if no worker ran)",
    )
    args = parser.parse_args()
    book = seeded_book(args.database_url, args.var_dir, args.pools, "bench-portal-")
    var, container, logins, paths = book.var, book.container, book.logins, book.paths
    if not args.cold:
        run_snapshot_tasks(container, book.pool_ids)
    roles = [r for r in args.roles.split(",") if r]
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    if args.gunicorn_workers:
        stop, base = gunicorn(args.database_url, var, args.gunicorn_workers)
    else:
        app = create_app(container)
        freeze_startup_heap()  # as app.py does before serving
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        stop, base = server.shutdown, f"http://127.0.0.1:{server.server_port}"
    cold: dict[str, list[float]] = defaultdict(list)
    warm: dict[str, list[float]] = defaultdict(list)

    def user_loop(n: int) -> None:
        role = roles[n % len(roles)]
        browser = Browser(base)
        browser.login(logins[role])
        deps = browser.get_json("/_dash-dependencies")
        first = n < len(roles)  # the first user of each role measures the cold pass
        deadline = time.monotonic() + args.seconds
        while time.monotonic() < deadline:
            for path in paths[role]:
                walk(browser, deps, path, cold if first else warm)
            first = False

    threads = [threading.Thread(target=user_loop, args=(n,)) for n in range(args.users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop()
    book.leave()
    for label, timings in (("cold (first pass, one user)", cold), ("warm", warm)):
        print(f"\n{label}:")
        for name, values in sorted(timings.items()):
            ordered = sorted(values)
            print(
                f"  {name:70} n={len(ordered):4}  p50 {statistics.median(ordered) * 1000:7.1f} ms"
                f"  p95 {_quantile(ordered, 0.95):7.1f} ms  p99 {_quantile(ordered, 0.99):7.1f} ms"
            )


if __name__ == "__main__":
    main()
