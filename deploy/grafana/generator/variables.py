"""The dashboards' template variables: the data source, and label filters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from grafanalib import core as gl

from generator.datasource import DATASOURCE_UID, DS


def datasource_variable() -> Any:
    return gl.Template(
        name="datasource",
        label="Data source",
        type="datasource",
        query="prometheus",
        default=DATASOURCE_UID,
    )


def label_variable(name: str, label: str, metric: str) -> Callable[[], Any]:
    """A multi-value filter on `metric`'s label `name`, "All" by default."""

    def make() -> Any:
        return gl.Template(
            name=name,
            label=label,
            type="query",
            dataSource=DS,
            query=f"label_values({metric}, {name})",
            includeAll=True,
            multi=True,
            allValue=".*",
            default="$__all",
            refresh=gl.REFRESH_ON_TIME_RANGE_CHANGE,
            sort=gl.SORT_ALPHA_ASC,
        )

    return make
