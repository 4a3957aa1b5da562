"""The one module that reaches into Dash's (and Plotly's) private modules, and why.

The portal runs Dash background callbacks through its own managers (portal/jobs/managers.py)
so that a job carries a signed identity, not the request's cookies, and gets a key of its
own. Dash's public API has no hook for the part where a manager starts a job: its own
managers set the callback context by hand before calling the job's function, so that
`dash.ctx`, `set_props` and `dash.callback_context` work inside the job. Doing the same means
using what they use: the context variable in `dash._callback_context`, the `AttributeDict`
of `dash._utils` it holds, and the set_props proxy of
`dash.background_callback._proxy_set_props`. Job state is stored as JSON with the encoder
Plotly keeps in its private `_plotly_utils` (it knows figures, components, dates and
decimals), imported here for the same reason.

Keeping all of it here means a Dash upgrade that moves these has one place to be fixed, and
tests/unit/test_boundaries.py fails the build if any other module imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from _plotly_utils.utils import PlotlyJSONEncoder
from dash._callback_context import context_value
from dash._utils import AttributeDict
from dash.background_callback._proxy_set_props import ProxySetProps

__all__ = ["PlotlyJSONEncoder", "enter_callback_context"]


def enter_callback_context(context: dict[str, Any], set_props: Callable[[str, dict[str, Any]], None]) -> None:
    """Make `context` (the callback context captured when the job was submitted) the Dash
    callback context of the running job, with `set_props` receiving its side updates.

    Call inside a copied contextvars context: the context variable is set for that context only."""
    dash_context = AttributeDict(**context)
    dash_context.ignore_register_page = False
    dash_context.updated_props = ProxySetProps(set_props)  # type: ignore[no-untyped-call]
    context_value.set(dash_context)
