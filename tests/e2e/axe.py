"""axe-core in the browser: inject it into the page under test and list what it finds.

axe.min.js comes from npm (the Makefile's $(AXE_JS), passed in as AXE_CORE_JS by `make test`);
run directly, pytest finds the copy `make test` installed under .venv.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver

ROOT = Path(__file__).resolve().parents[2]
RULES = ["wcag2a", "wcag2aa"]
BLOCKING = frozenset({"serious", "critical"})
"""The impacts a test fails on; minor and moderate ones are printed for a human to read."""

_RUN = r"""
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: "tag", values: arguments[0]}, resultTypes: ["violations"]})
  .then((result) => done(result.violations.map((v) => ({
    rule: v.id, impact: v.impact || "", help: v.help,
    targets: v.nodes.map((n) => n.target.join(" ")),
    detail: v.nodes.length ? [...v.nodes[0].any, ...v.nodes[0].all, ...v.nodes[0].none]
      .map((c) => c.message).join("; ").replace(/\s+/g, " ").slice(0, 240) : "",
  }))))
  .catch((error) => done({error: String(error)}));
"""


KNOWN: dict[tuple[str, str], str] = {
}
"""Violations the test reports but does not fail on, by (rule, a piece of every element's
selector): each is in a library or a page module outside the shell. Remove an entry when
its cause is fixed, so the check guards it from then on."""


@dataclass(frozen=True)
class Violation:
    page: str
    """Where it was found: role, page, size and theme."""
    rule: str
    impact: str
    help: str
    targets: tuple[str, ...]
    detail: str = ""
    """axe's explanation for the first element (which colours, which attribute)."""

    @property
    def known(self) -> str | None:
        """Why this one does not fail the test (KNOWN), or None."""
        for (rule, piece), why in KNOWN.items():
            if rule == self.rule and all(piece in target for target in self.targets):
                return why
        return None

    @property
    def blocking(self) -> bool:
        return self.impact in BLOCKING and self.known is None


@cache
def axe_source() -> str:
    configured = os.environ.get("AXE_CORE_JS")
    candidates = (
        [Path(configured)]
        if configured
        else sorted(ROOT.glob(".venv/axe-core-*/node_modules/axe-core/axe.min.js"))
    )
    found = [p if p.is_absolute() else ROOT / p for p in candidates]
    if not found or not found[-1].exists():
        pytest.fail(
            "the accessibility check needs axe-core from npm: run `make test` once "
            "(or: npm install --prefix .venv/axe-core-4.14.1 --no-save axe-core@4.14.1)",
            pytrace=False,
        )
    return found[-1].read_text()


def run_axe(driver: webdriver.Chrome, page: str) -> list[Violation]:
    """The WCAG 2 A and AA violations on the page as it is now."""
    if not driver.execute_script("return typeof window.axe !== 'undefined';"):
        driver.execute_script(axe_source())
    found: Any = driver.execute_async_script(_RUN, RULES)
    if isinstance(found, dict):
        raise AssertionError(f"axe-core failed on {page}: {found['error']}")
    return [Violation(page, v["rule"], v["impact"], v["help"], tuple(v["targets"])) for v in found]


def summary(violations: Iterable[Violation]) -> str:
    """Counts by rule (and impact), then each violation's page and first elements."""
    found = list(violations)
    if not found:
        return "axe-core: no WCAG 2 A/AA violations"
    counts = Counter((v.rule, v.impact) for v in found)
    lines = [f"axe-core: {len(found)} violation(s) on {len({v.page for v in found})} page view(s)"]
    lines += [f"  {n:3d} x {rule} ({impact})" for (rule, impact), n in counts.most_common()]
    known = Counter(why for v in found if (why := v.known))
    lines += [f"  known, not failing ({n} x): {why}" for why, n in known.items()]
    for v in found:
        if v.known:
            continue
        shown = ", ".join(v.targets[:3]) + (f" (+{len(v.targets) - 3} more)" if len(v.targets) > 3 else "")
        lines.append(f"  [{v.impact}] {v.page}: {v.rule}: {shown} -- {v.detail}")
    return "\n".join(lines)
