"""The payment service's contract: a webhook's body arrives as the exact bytes the gateway
signed, a wait of zero is not "no wait given", and a refused webhook comes back as the same
error the route turns into a 400."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from backend.payments.interface import EventUnreadable, SignatureInvalid
from backend.payments.rpc import PAYMENTS
from backend.platform.errors import ValidationFailed
from backend.platform.rpc import codec, errors
from backend.protos.investment_pools.payments.v1 import payments_pb2


def _across(method_name: str, **arguments: Any) -> dict[str, Any]:
    method = PAYMENTS.methods[method_name]
    request = getattr(payments_pb2, method.request)()
    for parameter in method.parameters:
        if parameter.name in arguments:
            dumped = parameter.adapter.dump_python(arguments[parameter.name], mode="json")
            codec.put(request, parameter.name, parameter.node, dumped)
    wire = getattr(payments_pb2, method.request).FromString(request.SerializeToString())
    return {p.name: p.adapter.validate_python(codec.get(wire, p.name, p.node)) for p in method.parameters}


def test_a_webhook_body_arrives_byte_for_byte() -> None:
    body = b'{"id": "evt_1", "amount": 1000}\r\n\x00\xff'  # what was signed, stray bytes and all
    back = _across("apply_webhook", body=body, signature="t=1,v1=ab")
    assert back == {"body": body, "signature": "t=1,v1=ab"}
    assert _across("apply_webhook", body=body, signature=None)["signature"] is None


def test_a_wait_of_zero_is_not_the_default_wait() -> None:
    assert _across("resume_gateway_attempts", older_than=timedelta(0)) == {"older_than": timedelta(0)}
    assert _across("resume_gateway_attempts", older_than=None) == {"older_than": None}
    odd = timedelta(days=1, seconds=7, microseconds=1)
    assert _across("resume_payout_transfers", older_than=odd) == {"older_than": odd}


def test_a_refused_webhook_comes_back_as_itself() -> None:
    for refused in (SignatureInvalid("Stripe-Signature: no signature matches"), EventUnreadable("id: bad")):
        back = errors.decode(errors.status_of(refused), refused.detail, errors.encode(refused))
        assert type(back) is type(refused) and str(back) == str(refused)
        assert isinstance(back, ValidationFailed) and isinstance(back, ValueError)
