"""The daily verification of the books (beat, LEDGER_VERIFY_HOUR_UTC): the same run as
`app.py ledger verify`, recorded for /metrics by the ledger service. Idempotent: a rerun
verifies again and records one more run."""

from __future__ import annotations

import logging

from ledger.interface import LedgerService

log = logging.getLogger(__name__)


def verify_books(ledger: LedgerService) -> dict[str, int]:
    """Recompute every hash and balance; a break is logged here and alerted on from the
    recorded run (LedgerVerifyFailed), not raised: a retry would find the same break."""
    report = ledger.verify()
    if not report.ok:
        log.error("the books do not verify", extra={"breaks": report.breaks, "first": report.describe()})
    return {"ok": int(report.ok), "entries": report.entries, "breaks": report.breaks}
