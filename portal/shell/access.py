"""Role checks for page layouts, decided on the server each time a page is rendered.

Hiding a navbar link is not authorisation: a page's layout function is what Dash calls
when anyone navigates to its path, so the check lives there.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from dash.development.base_component import Component

from backend.platform.actors import Actor, Role
from portal.shell.landing import not_permitted
from portal.shell.session import current_actor

Render = Callable[[Actor], Component]
PageLayout = Callable[..., Component]


def restricted(*roles: Role) -> Callable[[Render], PageLayout]:
    """Make `render(actor)` a Dash page layout that only `roles` get to see."""
    allowed = frozenset(roles)

    def wrap(render: Render) -> PageLayout:
        @functools.wraps(render)
        def layout(**_query: object) -> Component:
            # Dash passes the URL's query parameters as keyword arguments.
            actor = current_actor()
            if actor is None or actor.role not in allowed:
                return not_permitted()
            return render(actor)

        return layout

    return wrap


ParamRender = Callable[..., Component]


def restricted_with_params(*roles: Role) -> Callable[[ParamRender], PageLayout]:
    """Like `restricted`, for pages whose layout takes the URL's variables and query:
    `render(actor, **params)`, the values as strings from the URL."""
    allowed = frozenset(roles)

    def wrap(render: ParamRender) -> PageLayout:
        @functools.wraps(render)
        def layout(**params: object) -> Component:
            actor = current_actor()
            if actor is None or actor.role not in allowed:
                return not_permitted()
            return render(actor, **{k: v for k, v in params.items() if isinstance(v, str)})

        return layout

    return wrap
