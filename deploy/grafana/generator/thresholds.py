"""Grafana threshold steps: the colours a value takes past each line."""

from __future__ import annotations

from typing import Any

GREEN = {"color": "green", "value": None}


def steps(*steps: tuple[str, float]) -> list[dict[str, Any]]:
    """Threshold steps above the green base, lowest first."""
    return [GREEN, *({"color": color, "value": value} for color, value in steps)]


def below(limit: float, under: str = "red") -> list[dict[str, Any]]:
    """Thresholds for a figure that must stay at or above `limit` (an availability)."""
    return [{"color": under, "value": None}, {"color": "green", "value": limit}]
