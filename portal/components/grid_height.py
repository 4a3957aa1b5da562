"""How tall a client-side grid is: as tall as its rows up to a screenful, then it scrolls.

A grid laid out at the height of all its rows ("autoHeight") draws every row: a pool's 70
investors were 840 cells, most of the pool page's DOM and a good part of the time the
browser spent laying it out, and that grew with the pool. With a height of its own, AG
Grid draws only the rows in view (and a few either side), so the page costs the same at
fifty investors or five thousand; a short list still gets a box that fits it.
"""

from __future__ import annotations

ROW_PX = 42
"""ag-theme-alpine's row and header height (the theme's default, which the portal keeps)."""
MOST_ROWS = 12
EMPTY_ROWS = 3
"""Room for the grid's "no rows" message."""


def grid_height(rows: int, *, most: int = MOST_ROWS) -> dict[str, str]:
    """The grid's style: its header, `rows` rows up to `most`, and the border."""
    shown = min(max(rows, EMPTY_ROWS), most)
    return {"height": f"{ROW_PX * (shown + 1) + 2}px"}
