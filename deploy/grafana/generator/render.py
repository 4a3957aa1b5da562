"""A dashboard's JSON text, stable across runs: sorted keys, 2-space indent, a final newline,
the uid and the file name derived from the title."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from grafanalib import core as gl

from generator.layout import Layout
from generator.spec import Spec
from generator.variables import datasource_variable


def slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def uid(title: str) -> str:
    """Grafana's uid for a dashboard, from its title: stable across regenerations."""
    value = f"ip-{slug(title)}"
    if len(value) > 40:  # Grafana's limit
        raise ValueError(f"{title!r}: uid {value!r} is over 40 characters; shorten the title")
    return value


def dashboard(spec: Spec) -> Any:
    layout = Layout()
    spec.build(layout)
    return gl.Dashboard(
        title=spec.title,
        uid=uid(spec.title),
        description=spec.description,
        tags=["investment-pools", *spec.tags],
        panels=layout.panels,
        templating=gl.Templating(list=[datasource_variable(), *(make() for make in spec.variables)]),
        time=gl.Time(spec.time_from, "now"),
        refresh="1m",
        timezone="utc",
        editable=False,
        graphTooltip=gl.GRAPH_TOOLTIP_MODE_SHARED_CROSSHAIR,
        schemaVersion=39,
    ).auto_panel_ids()


def _to_json(value: Any) -> Any:
    to_json_data = getattr(value, "to_json_data", None)
    if to_json_data is None:
        raise TypeError(f"not JSON serialisable: {value!r}")
    return to_json_data()


def render(spec: Spec) -> str:
    return json.dumps(dashboard(spec).to_json_data(), sort_keys=True, indent=2, default=_to_json) + "\n"


def render_all(specs: Sequence[Spec]) -> dict[str, str]:
    """File name -> the JSON text the generator writes for it."""
    files = {f"{slug(spec.title)}.json": render(spec) for spec in specs}
    if len(files) != len(specs):
        raise ValueError("two dashboards have the same file name")
    return files
