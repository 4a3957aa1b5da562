"""The datasets analysts export, as columns and a row iterator over the services.

Rows are fetched page by page (the services' cursors), so an export streams in constant
memory whatever the size of the books. Authorisation is the services': each builder makes
its first call before any byte is sent, so a refused export is a clean 404, not a broken
download.

The datasets live in submodules by where their rows come from; every name is importable from
here (``reports.datasets``), as before:

* :mod:`reports.datasets.sources`: the services' slices the datasets read;
* :mod:`reports.datasets.entry_types`: a transaction type in words;
* :mod:`reports.datasets.books`: the journal's postings and transactions, the positions;
* :mod:`reports.datasets.report_figures`: NAV history, period returns, statements.
"""

from __future__ import annotations

from reports.datasets.books import (
    ENTRY_COLUMNS,
    ENTRY_PAGE,
    POSITION_COLUMNS,
    TRANSACTION_COLUMNS,
    entry_rows,
    position_rows,
    transaction_rows,
)
from reports.datasets.entry_types import ENTRY_TYPE_LABELS, entry_type_label
from reports.datasets.report_figures import (
    NAV_HISTORY_COLUMNS,
    PERFORMANCE_COLUMNS,
    STATEMENT_COLUMNS,
    nav_history_rows,
    performance_rows,
    statement_rows,
)
from reports.datasets.sources import InvestorNames, PoolNames, ReportReads, legal_names

__all__ = [
    "ENTRY_COLUMNS",
    "ENTRY_PAGE",
    "ENTRY_TYPE_LABELS",
    "NAV_HISTORY_COLUMNS",
    "PERFORMANCE_COLUMNS",
    "POSITION_COLUMNS",
    "STATEMENT_COLUMNS",
    "TRANSACTION_COLUMNS",
    "InvestorNames",
    "PoolNames",
    "ReportReads",
    "entry_rows",
    "entry_type_label",
    "legal_names",
    "nav_history_rows",
    "performance_rows",
    "position_rows",
    "statement_rows",
    "transaction_rows",
]
