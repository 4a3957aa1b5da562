"""Published reference numbers the financial maths must reproduce.

cases.json is a copy of the product owner's shared/reference/cases.json, kept in the
repository so a clean clone (CI) tests against it without the shared folder beside it.
test_reference_copy.py fails if the two ever drift apart where both are present.
"""

from __future__ import annotations

from pathlib import Path

CASES_PATH = Path(__file__).resolve().parent / "cases.json"
SHARED_CASES_PATH = Path(__file__).resolve().parents[3] / "shared" / "reference" / "cases.json"
