"""The repository's copy of the reference cases matches the shared original, when present."""

from __future__ import annotations

import json

from tests.reference import CASES_PATH, SHARED_CASES_PATH


def test_the_copy_holds_cases() -> None:
    cases = json.loads(CASES_PATH.read_text(encoding="utf-8"))
    assert len(cases) >= 10
    assert all("id" in case for case in cases)


def test_the_copy_matches_the_shared_original() -> None:
    if not SHARED_CASES_PATH.is_file():
        # A clean clone has no shared/ folder beside it; the copy is then the only source.
        print(f"no shared original at {SHARED_CASES_PATH}: comparing nothing")
        return
    assert CASES_PATH.read_bytes() == SHARED_CASES_PATH.read_bytes(), (
        f"{CASES_PATH} differs from {SHARED_CASES_PATH}: copy the shared file over"
    )
