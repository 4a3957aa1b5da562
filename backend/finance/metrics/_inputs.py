"""Input conversion shared by every metric: numbers to floats, dates to day numbers.

The base of the metrics package (it imports no sibling): the type aliases of the
public signatures, the act/365F year, and the checks that turn caller input into
floats and float arrays, raising ``ValueError`` as the package docstring promises.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date
from typing import SupportsFloat, TypeAlias

import numpy as np
import numpy.typing as npt

__all__ = [
    "DAYS_PER_YEAR",
    "Amounts",
    "DateLike",
    "FloatArray",
    "Number",
    "day_number",
    "finite_vector",
    "same_length",
    "to_float",
    "vector",
]

Number: TypeAlias = SupportsFloat
DateLike: TypeAlias = date | str
FloatArray: TypeAlias = npt.NDArray[np.float64]
Amounts: TypeAlias = Number | Iterable[Number]
_Sized: TypeAlias = Sequence[object] | FloatArray

DAYS_PER_YEAR = 365.0
"""Day-count basis of xirr/xnpv (Excel act/365F) and of ``annualize``."""


def to_float(value: Number, name: str) -> float:
    result = float(value)
    if math.isnan(result):
        raise ValueError(f"{name} is NaN")
    return result


def vector(values: Iterable[Number], name: str) -> FloatArray:
    if isinstance(values, np.ndarray):
        array = np.asarray(values, dtype=np.float64)
    else:
        array = np.array([float(v) for v in values], dtype=np.float64)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional")
    return array


def finite_vector(values: Iterable[Number], name: str) -> FloatArray:
    array = vector(values, name)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return array


def day_number(value: DateLike) -> int:
    if isinstance(value, str):
        return date.fromisoformat(value[:10]).toordinal()
    return value.toordinal()


def same_length(name_a: str, a: _Sized, name_b: str, b: _Sized) -> None:
    if len(a) != len(b):
        raise ValueError(f"{name_a} and {name_b} differ in length: {len(a)} != {len(b)}")
