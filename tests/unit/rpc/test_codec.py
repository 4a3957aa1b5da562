"""Values across the wire come back equal, in the same types, with the same fields set; and
each domain error comes back as itself."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import grpc
import pytest

from backend.platform.errors import (
    Conflict,
    DependencyUnavailable,
    DomainError,
    NotFound,
    PermissionDenied,
    TooManyRequests,
    Unauthenticated,
    ValidationFailed,
)
from backend.platform.rpc import codec, errors
from backend.pools.interface import (
    FeeBasis,
    ManagementFeeTerms,
    PoolCreate,
    PoolKind,
    PoolUpdate,
    ShareClassTerms,
)
from backend.pools.rpc import POOLS
from backend.protos.investment_pools.pools.v1 import pools_pb2
from ledger.errors import IdempotencyKeyReused


def _across(method_name: str, **arguments: Any) -> dict[str, Any]:
    """`arguments` as the client sends them and the server reads them back."""
    method = POOLS.methods[method_name]
    request = getattr(pools_pb2, method.request)()
    for parameter in method.parameters:
        if parameter.name in arguments:
            dumped = parameter.adapter.dump_python(arguments[parameter.name], mode="json", exclude_unset=True)
            codec.put(request, parameter.name, parameter.node, dumped)
    wire = getattr(pools_pb2, method.request).FromString(request.SerializeToString())
    return {
        p.name: p.adapter.validate_python(codec.get(wire, p.name, p.node))
        for p in method.parameters
        if p.name in arguments
    }


def test_an_update_naming_one_term_arrives_naming_only_that_term() -> None:
    update = PoolUpdate(name="Renamed")
    [arrived] = (
        _across("update_pool", pool_id=7, update=update).values() - {7}
        if False
        else [_across("update_pool", pool_id=7, update=update)["update"]]
    )
    assert arrived == update and arrived.model_fields_set == {"name"}
    # null removes a term; an empty list of classes is not "no change"
    cleared = PoolUpdate(management_fee=None, share_classes=[])
    back = _across("update_pool", pool_id=7, update=cleared)["update"]
    assert back.model_fields_set == {"management_fee", "share_classes"}
    assert back.management_fee is None and back.share_classes == []
    untouched = _across("update_pool", pool_id=7, update=PoolUpdate())["update"]
    assert untouched.model_fields_set == set() and untouched.share_classes is None


def test_money_rates_and_dates_come_back_exact() -> None:
    create = PoolCreate(
        name="Exact",
        kind=PoolKind.OPEN_ENDED,
        base_currency="JPY",
        inception_date=date(2024, 2, 29),
        initial_nav_per_unit=Decimal("1.000001"),
        minimum_subscription=Decimal("12345678901234.56"),
        management_fee=ManagementFeeTerms(rate=Decimal("0.0000001"), basis=FeeBasis.NAV),
        share_classes=[ShareClassTerms(class_id="I", management_fee_rate=Decimal("0.0125"))],
    )
    back = _across("create_pool", request=create)["request"]
    assert back == create and back.model_fields_set == create.model_fields_set
    assert back.management_fee is not None and back.management_fee.rate == Decimal("0.0000001")
    assert back.minimum_subscription == Decimal("12345678901234.56")


def test_a_user_named_by_id_or_by_email_stays_what_it_was() -> None:
    assert _across("add_manager", pool_id=1, user=42)["user"] == 42
    assert _across("add_manager", pool_id=1, user="ana@example.com")["user"] == "ana@example.com"


def test_optional_filters_and_sets_of_ids() -> None:
    sent = _across("list_pools", status=None, kind=PoolKind.CLOSED_ENDED, cursor=0, limit=5)
    assert sent == {"status": None, "kind": PoolKind.CLOSED_ENDED, "cursor": 0, "limit": 5}
    assert _across("managed_among", pool_ids=[3, 1, 2])["pool_ids"] == [3, 1, 2]


@pytest.mark.parametrize(
    "error",
    [
        ValidationFailed("amount must be positive", field="amount"),
        NotFound("pool 9 not found"),
        PermissionDenied("read-only"),
        Unauthenticated("token expired"),
        Conflict("pool is closed", field="pool_id"),
        DependencyUnavailable("the gateway did not answer"),
        TooManyRequests("slow down", retry_after_seconds=17),
        IdempotencyKeyReused("key used for another request", field="Idempotency-Key"),
    ],
)
def test_each_domain_error_comes_back_as_itself(error: DomainError) -> None:
    code = errors.status_of(error)
    back = errors.decode(code, error.detail, errors.encode(error))
    assert type(back) is type(error) and back is not None
    assert (back.detail, back.field) == (error.detail, error.field)
    assert vars(back) == vars(error)


def test_a_reply_naming_an_unknown_class_imports_nothing_and_falls_back_to_its_code() -> None:
    forged = b'{"class": "os.system", "detail": "rm -rf", "field": null, "extra": {}}'
    back = errors.decode(grpc.StatusCode.NOT_FOUND, "gone", forged)
    assert type(back) is NotFound and back.detail == "gone"
    assert errors.decode(grpc.StatusCode.INTERNAL, "boom", None) is None
    assert errors.decode(grpc.StatusCode.PERMISSION_DENIED, "no", None).__class__ is PermissionDenied


def test_times_keep_their_zone() -> None:
    from backend.pools.interface import AnalystGrantOut

    method = POOLS.methods["grant_analyst"]
    assert method.result_adapter is not None and method.result is not None
    grant = AnalystGrantOut(
        pool_id=1, user_id=2, granted_at=datetime(2026, 12, 6, 17, 0, 1, 123456, tzinfo=UTC)
    )
    response = pools_pb2.GrantAnalystResponse()
    codec.put(response, "result", method.result, method.result_adapter.dump_python(grant, mode="json"))
    back = method.result_adapter.validate_python(codec.get(response, "result", method.result))
    assert back == grant and back.granted_at.tzinfo is not None
