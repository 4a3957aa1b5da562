"""A union as a map's value crosses the wire as a message holding a oneof, each value as the
member it is: a notice's words (`dict[str, str | Amount | Day | Words]`, nested words
included) arrive equal, never read as the first model of the union."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from backend.platform.rpc import codec
from backend.platform.rpc.types import Mapping, OneOf, Wrapped, model_fields
from backend.protos.investment_pools.notifications.v1 import notifications_pb2
from notifications.interface import Amount, Day, NotificationIn, NotificationKind, Words, worded
from notifications.rpc import NOTIFICATIONS


def _across(method_name: str, **arguments: Any) -> dict[str, Any]:
    """`arguments` as the client sends them and the server reads them back."""
    method = NOTIFICATIONS.methods[method_name]
    request = getattr(notifications_pb2, method.request)()
    for parameter in method.parameters:
        dumped = parameter.adapter.dump_python(arguments[parameter.name], mode="json", exclude_unset=True)
        codec.put(request, parameter.name, parameter.node, dumped)
    wire = getattr(notifications_pb2, method.request).FromString(request.SerializeToString())
    return {p.name: p.adapter.validate_python(codec.get(wire, p.name, p.node)) for p in method.parameters}


def test_each_value_of_a_notices_words_arrives_as_what_it_was() -> None:
    body = worded(
        "You pay %(amount)s on %(due)s to %(pool)s: %(why)s.",
        amount=Amount(value=Decimal("203901.37"), currency="USD"),
        due=Day(value=date(2019, 3, 31)),
        pool="Harbour Private Equity I",
        why=worded("your share of %(called)s", called=Amount(value=Decimal("0.01"), currency="JPY")),
    )
    notice = NotificationIn(
        user_id=7,
        kind=NotificationKind.CAPITAL_CALL,
        title_words=worded("Capital call: %(pool)s", pool="Harbour Private Equity I"),
        body_words=body,
    )
    [back] = _across("create_for_event", event_id="call:1", items=[notice])["items"]
    assert back == notice and back.model_fields_set == notice.model_fields_set
    assert back.body_words is not None
    values = back.body_words.values
    assert type(values["amount"]) is Amount and values["amount"].value == Decimal("203901.37")
    assert type(values["due"]) is Day and type(values["pool"]) is str
    assert type(values["why"]) is Words and values["why"] == body.values["why"]


def test_the_words_map_holds_a_oneof_in_a_message_of_its_own() -> None:
    [(_, node)] = [f for f in model_fields(Words) if f[0] == "values"]
    assert isinstance(node, Mapping) and isinstance(node.value, Wrapped)
    assert isinstance(node.value.inner, OneOf)
    message = notifications_pb2.TextOrAmountOrDayOrWords
    assert [f.name for f in message.DESCRIPTOR.oneofs_by_name["value"].fields] == [
        "value_text",
        "value_amount",
        "value_day",
        "value_words",
    ]
