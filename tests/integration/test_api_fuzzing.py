"""Generated requests against the real API: no input gets a 5xx, a schema violation
accepted or a status the OpenAPI document does not list.

Schemathesis (pinned in requirements-test.txt) derives cases from /api/v1/openapi.json
(examples, boundary values and mutations of every parameter and body) and runs all its
checks on each answer, plus one of ours (ACCEPTED_POSITIVE and the_schema_states_the_shape,
below). It runs over the whole app in process, on a
database of its own whose commits are real, for an admin and a manager, each with live
tokens.

Budget: FUZZ_EXAMPLES generated cases per operation, phase and role (default 8: about 3,200
requests per role with the coverage phase's boundary cases, under a minute on 2 cores). The
full run of the security note sets FUZZ_EXAMPLES=100; FUZZ_REPORT=<file> writes the counts. CI runs
derandomised (the same cases every time). Three operations are left out because a generated
call would end the caller's own session mid-run: logging out, changing one's password and
refreshing (which rotates the token family); tests/integration/test_auth_api.py and
test_sessions_end.py cover them.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config._checks import (
    POSITIVE_DATA_ACCEPTANCE_EXPECTED_STATUSES,
    PositiveDataAcceptanceConfig,
)
from schemathesis.generation.case import Case

from backend.composition.container import Container
from backend.composition.web import create_app
from backend.platform.cache import InProcessCache
from backend.platform.config import load_settings
from backend.platform.db import Database
from ledger.interface import TransactionRequest
from sql.migrate import upgrade
from tests.integration.auth_support import PASSWORD
from tests.integration.pools_support import closed_pool, make_world, open_pool

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
SESSION_ENDING = ("/api/v1/auth/logout", "/api/v1/me/password", "/api/v1/auth/refresh")
pytestmark = pytest.mark.xdist_group("api_fuzzing")  # one app, one database, one worker
load_all_checks()
ACCEPTED_POSITIVE = [*POSITIVE_DATA_ACCEPTANCE_EXPECTED_STATUSES, "422"]
""""A schema-valid request is accepted" with schemathesis's statuses plus 422, for one reason:
a request can be well formed and still break a rule of the books (an amount under the pool's
minimum, a date before its inception, an investor not KYC-approved), which the service refuses
with a 422 naming the field. What the schema itself promises is held by the next check."""


@schemathesis.check
def the_schema_states_the_shape(ctx: Any, response: Any, case: Case[Any]) -> bool | None:
    """A schema-valid request is never refused for its shape: such a refusal (problem type
    request-invalid) means the OpenAPI document allows what the parser does not."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 422:
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    if not (isinstance(body, dict) and str(body.get("type", "")).endswith("/request-invalid")):
        return None
    # The one rule JSON Schema cannot state, stated in the field's description instead: a JSON
    # number must carry at most 15 significant digits (what a double keeps exactly).
    reasons = [str(e.get("reason", "")) for e in body.get("errors") or []]
    if reasons and all("15 significant digits" in r for r in reasons):
        return None
    raise AssertionError(f"schema-valid request refused for its shape: {body.get('errors')}")


SIGNED_ONLY = "/api/v1/payments/webhooks/stripe"
"""Its only credential is a signature over the body, which no generator forges: every generated
call is refused (400), so "valid data is accepted" cannot apply; every other check does."""
_ACCEPTANCE: Any = next(c for c in CHECKS.get_all() if c.__name__ == "positive_data_acceptance")


def positive_data_accepted(ctx: Any, response: Any, case: Case[Any]) -> bool | None:
    if case.operation.path == SIGNED_ONLY.removeprefix("/api/v1") or case.path == SIGNED_ONLY:
        return None
    result: bool | None = _ACCEPTANCE(ctx, response, case)
    return result


CHECKS_RUN: list[Any] = [
    *(c for c in CHECKS.get_all() if c is not _ACCEPTANCE),
    positive_data_accepted,
    the_schema_states_the_shape,
]
"""Every check schemathesis has, named so a default changing upstream cannot drop one, and ours."""


REAL_IDS: dict[str, int] = {}
"""Ids of objects that exist, by path parameter name (set up by `Fuzzed`)."""


@schemathesis.hook
def map_path_parameters(
    context: schemathesis.HookContext, path_parameters: dict[str, Any] | None
) -> dict[str, Any] | None:
    """Half the generated ids (the even ones) are swapped for an object that exists, so
    schema-valid cases get past "not found" into the operations themselves; the other half
    keep the generated id, boundaries included."""
    if not path_parameters:
        return path_parameters
    mapped = dict(path_parameters)
    for name, value in path_parameters.items():
        # Only ids the schema accepts: a negative case's 0, -2 or out-of-range id stays.
        if name in REAL_IDS and isinstance(value, int) and value % 2 == 0 and 1 <= value < 2**31:
            mapped[name] = REAL_IDS[name]
    return mapped


class Fuzzed:
    def __init__(self, tmp: Path) -> None:
        url = f"sqlite:///{tmp / 'fuzz.sqlite3'}"
        upgrade(url)
        self.db = Database(url, positions=InProcessCache())
        container = Container(load_settings(VAR_DIR=str(tmp / "var")), db=self.db, cache=InProcessCache())
        world = make_world(container)
        # Objects for the generated ids to find: an investor holding units in an open-ended
        # pool (so there is an entry), a closed-ended pool, the manager's own user.
        investor = world.investor_profile(world.investor)
        pool = container.pools.create_pool(world.manager, open_pool()).id
        container.pools.create_pool(world.manager, closed_pool())
        entry = container.transactions.record(
            world.manager,
            pool,
            TransactionRequest.model_validate(
                {
                    "type": "subscription",
                    "investor_id": investor,
                    "amount": "20000.00",
                    "effective_date": "2025-01-02",
                }
            ),
            "fuzz-seed-subscription",
        )
        assert world.manager.user_id is not None
        REAL_IDS.update(pool_id=pool, investor_id=investor, entry_id=entry.id, user_id=world.manager.user_id)
        self.app = create_app(container)
        client = self.app.test_client()
        self.headers: dict[str, dict[str, str]] = {}
        for role in ("admin", "manager"):
            answer = client.post(
                "/api/v1/auth/token", json={"email": world.emails[role], "password": PASSWORD}
            )
            assert answer.status_code == 200, answer.get_json()
            self.headers[role] = {"Authorization": f"Bearer {answer.get_json()['access_token']}"}


TALLY: Counter[str] = Counter()
"""Cases run, by role, generation mode and status class; FUZZ_REPORT=<file> writes it out."""


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzed]:
    world = Fuzzed(tmp_path_factory.mktemp("fuzz"))
    yield world
    world.db.dispose()
    report = os.environ.get("FUZZ_REPORT")
    if report:
        Path(report).write_text(json.dumps({"cases": sum(TALLY.values()), **TALLY}, indent=1, sort_keys=True))


def _exercise(case: Case[Any], fuzzed: Fuzzed, role: str) -> None:
    response = case.call_and_validate(checks=CHECKS_RUN)
    mode = case.meta.generation.mode.value if case.meta is not None else "explicit"
    TALLY[f"{role} {mode} {response.status_code // 100}xx"] += 1


def _schema_for(fuzzed: Fuzzed, role: str) -> schemathesis.schemas.BaseSchema:
    """The API as `role` sees it: schemathesis signs every case with the role's token itself,
    so the cases it makes without or with a broken Authorization stay what they are."""
    loaded = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fuzzed.app)
    token = fuzzed.headers[role]["Authorization"]

    class RoleToken:
        def get(self, case: Case[Any], context: schemathesis.AuthContext) -> str:
            return token

        def set(self, case: Case[Any], data: str, context: schemathesis.AuthContext) -> None:
            case.headers["Authorization"] = data

    loaded.auth(refresh_interval=None)(RoleToken)
    accepted = PositiveDataAcceptanceConfig(expected_statuses=ACCEPTED_POSITIVE)
    loaded.config.checks.positive_data_acceptance = accepted
    return loaded


@pytest.fixture(scope="module")
def admin_api(fuzzed: Fuzzed) -> schemathesis.schemas.BaseSchema:
    return _schema_for(fuzzed, "admin")


@pytest.fixture(scope="module")
def manager_api(fuzzed: Fuzzed) -> schemathesis.schemas.BaseSchema:
    return _schema_for(fuzzed, "manager")


admin_schema = schemathesis.pytest.from_fixture("admin_api").exclude(path=list(SESSION_ENDING))
manager_schema = schemathesis.pytest.from_fixture("manager_api").exclude(path=list(SESSION_ENDING))


_BUDGET = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=os.environ.get("CI") == "true",
    suppress_health_check=list(HealthCheck),
)


@admin_schema.parametrize()
@_BUDGET
def test_no_generated_request_breaks_the_api_for_an_admin(case: Case[Any], fuzzed: Fuzzed) -> None:
    _exercise(case, fuzzed, "admin")


@manager_schema.parametrize()
@_BUDGET
def test_no_generated_request_breaks_the_api_for_a_manager(case: Case[Any], fuzzed: Fuzzed) -> None:
    _exercise(case, fuzzed, "manager")
