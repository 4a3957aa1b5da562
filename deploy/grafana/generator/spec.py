"""What a dashboard is: its title, description, tags, variables, time range, and the
function that lays out its panels."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from generator.layout import Layout


@dataclass(frozen=True)
class Spec:
    title: str
    description: str
    build: Callable[[Layout], None]
    tags: tuple[str, ...] = ()
    variables: tuple[Callable[[], Any], ...] = ()
    time_from: str = "now-6h"
