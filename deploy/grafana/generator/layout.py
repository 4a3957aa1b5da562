"""Where each panel goes on the dashboard's grid."""

from __future__ import annotations

from typing import Any

from grafanalib import core as gl


class Layout:
    """Places panels left to right on Grafana's 24-column grid, under row headers."""

    WIDTH = 24

    def __init__(self) -> None:
        self.panels: list[Any] = []
        self._x = 0
        self._y = 0
        self._height = 0

    def row(self, title: str) -> None:
        self._next_line()
        self.panels.append(gl.RowPanel(title=title, gridPos=gl.GridPos(h=1, w=self.WIDTH, x=0, y=self._y)))
        self._y += 1

    def add(self, panel: Any, w: int = 12, h: int = 8) -> None:
        if self._x + w > self.WIDTH:
            self._next_line()
        panel.gridPos = gl.GridPos(h=h, w=w, x=self._x, y=self._y)
        self.panels.append(panel)
        self._x += w
        self._height = max(self._height, h)

    def _next_line(self) -> None:
        self._y += self._height
        self._x = 0
        self._height = 0
