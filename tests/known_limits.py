"""Limits of the books that tests name when they mark a property as expected to fail
(docs/business-logic.md, section 8): one wording, wherever the property is tested."""

from __future__ import annotations

PREF_OVERDRAW_LIMIT = (
    "Known limit (docs/business-logic.md, section 8): the preferred return is paid on each LP's "
    "own dates even when the books credited that LP fewer gains, which can overdraw its account"
)
CENT_DRIFT_LIMIT = (
    "Known limit: each entry is split to the cent on its own (largest remainder, ties to the same "
    "holder), so cents drift between holders; a cumulative split per holder is the fix"
)
