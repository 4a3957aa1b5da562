"""The panels the dashboards are made of: queries, time series, stats, and the text panel
that keeps a monitoring gap visible."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from grafanalib import core as gl

from generator.datasource import DS
from generator.thresholds import GREEN


def target(expr: str, legend: str = "", *, instant: bool = False) -> Any:
    return gl.Target(expr=expr, legendFormat=legend, instant=instant, datasource=DS, intervalFactor=1)


def with_ref_ids(targets: Sequence[Any]) -> list[Any]:
    if len(targets) > 26:
        raise ValueError("a panel has at most 26 queries (refId A to Z)")
    for index, one in enumerate(targets):
        one.refId = chr(ord("A") + index)
    return list(targets)


def timeseries(
    title: str,
    description: str,
    targets: Sequence[Any],
    *,
    unit: str = "short",
    thresholds: list[dict[str, Any]] | None = None,
    stacked: bool = False,
) -> Any:
    return gl.TimeSeries(
        title=title,
        description=description,
        dataSource=DS,
        targets=with_ref_ids(targets),
        unit=unit,
        thresholds=thresholds or [GREEN],
        thresholdsStyleMode="line" if thresholds else "off",
        stacking={"mode": "normal", "group": "A"} if stacked else {},
        fillOpacity=20 if stacked else 0,
        legendDisplayMode="table",
        legendCalcs=["mean", "max", "lastNotNull"],
        tooltipMode="multi",
        tooltipSort="desc",
        valueMin=0,
        maxDataPoints=300,
    )


def stat(
    title: str,
    description: str,
    targets: Sequence[Any],
    *,
    unit: str = "short",
    thresholds: list[dict[str, Any]] | None = None,
    decimals: int | None = None,
    mappings: list[dict[str, Any]] | None = None,
) -> Any:
    return gl.Stat(
        title=title,
        description=description,
        dataSource=DS,
        targets=with_ref_ids(targets),
        format=unit,
        decimals=decimals,
        thresholds=thresholds or [GREEN],
        mappings=mappings or [],
        reduceCalc="lastNotNull",
        graphMode="none",
        colorMode="value",
        noValue="no data",
    )


def value_texts(texts: dict[float, tuple[str, str]]) -> list[dict[str, Any]]:
    """A stat's value mapping: each value shown as a word in a colour ({1: ("up", "green")})."""
    options = {f"{value:g}": {"text": text, "color": color} for value, (text, color) in texts.items()}
    return [{"type": "value", "options": options}]


def not_exported(title: str, content: str) -> Any:
    """A text panel that keeps a monitoring gap visible: no metric is exported for it yet."""
    return gl.Text(title=title, content=content, mode=gl.TEXT_MODE_MARKDOWN)
