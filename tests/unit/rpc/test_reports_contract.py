"""The report service's contract: its returns and ratios (`Measure`) cross as doubles, bit for
bit, amounts beside them stay exact decimals, and a plain float is still refused."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from pydantic import BaseModel

from backend.platform.rpc import codec
from backend.platform.rpc.contract import ServiceContract
from backend.platform.rpc.types import UnsupportedType
from backend.protos.investment_pools.reports.v1 import reports_pb2
from reports.interface import Frequency, MoneyWeighted, NavHistory, NavPoint
from reports.rpc import REPORTS

AWKWARD = [0.1 + 0.2, 1e-300, -0.0, 5e-324, 1 / 3, 123456789.12345679, -0.9999999999999999]


def _answer(method_name: str, value: Any) -> Any:
    """`value` as the service answers it and the client reads it back."""
    method = REPORTS.methods[method_name]
    assert method.result is not None and method.result_adapter is not None
    response = getattr(reports_pb2, method.response)()
    codec.put(response, "result", method.result, method.result_adapter.dump_python(value, mode="json"))
    wire = getattr(reports_pb2, method.response).FromString(response.SerializeToString())
    return method.result_adapter.validate_python(codec.get(wire, "result", method.result))


def _point(index: float) -> NavPoint:
    return NavPoint(
        date=date(2025, 12, 31),
        net_asset_value=Decimal("1000000.01"),
        value=Decimal("999999.99"),
        units_outstanding=Decimal("1000.000001"),
        nav_per_unit=Decimal("1000.000001"),
        distributions_per_unit=None,
        index=index,
        inflow=Decimal("0"),
        outflow=Decimal("0.01"),
    )


def test_an_index_crosses_bit_for_bit_and_the_amounts_beside_it_exactly() -> None:
    history = NavHistory(
        pool_id=3,
        currency="EUR",
        frequency=Frequency.DAILY,
        start=date(2025, 1, 1),
        end=date(2025, 12, 31),
        points=[_point(x) for x in AWKWARD],
    )
    back = _answer("nav_history", history)
    assert back == history
    for sent, got in zip(history.points, back.points, strict=True):
        assert got.index.hex() == sent.index.hex() and math.copysign(1, got.index) == math.copysign(
            1, sent.index
        )
        assert got.net_asset_value == Decimal("1000000.01") and isinstance(got.net_asset_value, Decimal)


def test_an_undefined_ratio_stays_undefined_and_zero_stays_zero() -> None:
    figures = MoneyWeighted.model_validate(
        {
            "paid_in": "0",
            "received": "0",
            "value": "0",
            "irr": None,
            "tvpi": 0.0,
            "dpi": None,
            "rvpi": 1 / 3,
            "carried_interest_paid": "0",
            "accrued_carried_interest": "0",
            "gross_value": "0",
            "gross_irr": None,
            "gross_tvpi": None,
            "gross_dpi": None,
            "gross_rvpi": None,
        }
    )
    message = reports_pb2.MoneyWeighted()
    codec.put_model(message, MoneyWeighted, figures.model_dump(mode="json", exclude_unset=True))
    back = MoneyWeighted.model_validate(
        codec.get_model(reports_pb2.MoneyWeighted.FromString(message.SerializeToString()), MoneyWeighted)
    )
    assert back == figures and back.irr is None and back.tvpi == 0.0 and back.rvpi == 1 / 3


class Priced(BaseModel):
    rate: float  # unmarked: could be money


class Prices:
    def price(self, pool_id: int) -> Priced:
        raise NotImplementedError


def test_a_plain_float_in_a_model_is_still_refused() -> None:
    with pytest.raises(UnsupportedType, match=r"Priced.rate: float has no wire form"):
        _ = ServiceContract("prices", Prices).models()
