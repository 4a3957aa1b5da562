"""Buttons on a grid's rows (a document's PDF, an email's Resend), drawn by the grid.

A Dash button a row, with a pattern-matching id, costs the browser dearly: Dash's renderer
wires every one of them into its callback graph, and at 200 documents (400 buttons) it
spent about 7 s doing so before the page could be used. Here the rows are an AG Grid's and
the buttons are drawn by its cell renderer (RowActions in
portal/assets/dashAgGridComponentFunctions.js): a row carries the buttons it offers, and a
press reports {"action": ..., "id": row id} as the grid's cellRendererData, which the page's
callback reads with `pressed_row`. The service still decides who may do what to which row.
"""

from __future__ import annotations

from typing import Any

import dash_ag_grid as dag

from portal.components.grid_height import grid_height


def row_action(action: str, label: str, title: str, *, primary: bool = False) -> dict[str, str]:
    """One button of a row: what it does (reported back), its text and its accessible name."""
    style = "btn-outline-primary" if primary else "btn-outline-secondary"
    return {"action": action, "label": label, "title": title, "style": style}


def actions_column(header: str, *, width: int = 160) -> dict[str, Any]:
    """The grid column that draws each row's `actions` (a list of row_action)."""
    return {
        "field": "actions",
        "headerName": header,
        "cellRenderer": "RowActions",
        "sortable": False,
        "filter": False,
        "minWidth": width,
        "maxWidth": width + 20,
    }


def row_grid(ident: str, columns: list[dict[str, Any]], rows: list[dict[str, Any]], empty: str) -> Any:
    """A sortable, filterable grid of `rows` (each with an "id", and its "actions" where the
    columns draw them), as tall as its rows up to fifteen, drawing only the rows in view."""
    return dag.AgGrid(
        id=ident,
        columnDefs=columns,
        rowData=rows,
        getRowId="params.data.id",
        defaultColDef={"sortable": True, "resizable": True, "filter": True},
        dashGridOptions={"localeText": {"noRowsToShow": empty}},
        columnSize="responsiveSizeToFit",
        style=grid_height(len(rows), most=15),
        className="ag-theme-alpine",
    )


def pressed_row(pressed: object, action: str) -> int | None:
    """The id of the row whose `action` button was pressed, from the grid's
    cellRendererData ({"value": {"action": ..., "id": ...}, ...}); None for anything else,
    whoever sent it."""
    value = pressed.get("value") if isinstance(pressed, dict) else None
    if not isinstance(value, dict) or value.get("action") != action:
        return None
    row = value.get("id")
    return row if isinstance(row, int) and not isinstance(row, bool) else None
