"""The analyst's background job: "Prepare large export" writes the explorer's whole filtered view
to a CSV or XLSX file, with the streamed exports' writers and progress (the machinery is
portal/jobs/)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from backend.platform.actors import Actor
from backend.platform.errors import PermissionDenied
from portal.analyst.data import dataset_columns, rows
from portal.context import services
from portal.jobs.files import Prepared, download_url, downloads_dir, pending_file, sweep
from portal.jobs.job import Job
from reports.interface import Sheet, csv_stream, write_xlsx

EXPORT_FORMATS = ("csv", "xlsx")
PROGRESS_EVERY_ROWS = 500


class _Progress:
    """Passes rows through, reporting to the job on the first row and every
    PROGRESS_EVERY_ROWS rows (each report is also where a cancelled job stops)."""

    def __init__(
        self, job: Job, total: int, position: Callable[[Sequence[Any], int], int], unit: str
    ) -> None:
        self.job, self.total, self.position, self.unit = job, total, position, unit
        self.rows = 0

    def report(self, row: Sequence[Any] | None) -> None:
        at = self.position(row, self.rows) if row is not None else self.total
        total = max(self.total, at)  # entries posted since the job started
        label = f"{at:,} of {total:,} {self.unit}"
        if self.unit == "entries":
            label += f" · {self.rows:,} row{'' if self.rows == 1 else 's'}"
        self.job.report(at, total, label)

    def through(self, rows: Iterable[Sequence[Any]]) -> Iterator[Sequence[Any]]:
        for row in rows:
            self.rows += 1
            if self.rows == 1 or self.rows % PROGRESS_EVERY_ROWS == 0:
                self.report(row)
            yield row


def prepare_export(job: Job, actor: Actor, dataset: str, query: dict[str, str], fmt: str) -> Prepared:
    """Write the whole view `query` selects (the download links' query) to a CSV or XLSX file
    as `actor`, with the streamed exports' writers, reporting progress: for transactions and
    postings the journal entry reached of the pool's entries (rows in journal order), for
    the other datasets rows. NotFound for a pool the actor was not granted; a cancelled job
    leaves no file."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unsupported export format {fmt!r}")
    user_id = actor.user_id
    if user_id is None:
        raise PermissionDenied("exports are prepared for a signed-in user")
    directory = downloads_dir()
    sweep(directory)
    source: Iterable[Sequence[Any]] = rows(actor, dataset, query)  # authorised here, before any file
    if dataset in ("entries", "transactions"):  # both stream in journal order, seq second
        version = services().ledger.ledger_version(int(query["pool_id"]), actor=actor)
        progress = _Progress(job, version, lambda row, _n: int(row[1]), "entries")  # row[1]: seq
    else:
        listed = list(source)  # these datasets are built in memory by the service anyway
        source = listed
        progress = _Progress(job, len(listed), lambda _row, n: n, "rows")
    progress.job.report(0, progress.total, f"0 of {progress.total:,} {progress.unit}")
    columns = dataset_columns(dataset)
    with pending_file(directory, fmt) as part:
        if fmt == "csv":
            with part.open("wb") as out:
                for chunk in csv_stream(columns, progress.through(source)):
                    out.write(chunk)
        else:
            write_xlsx(part, [Sheet(dataset, columns, progress.through(source))])
        progress.report(None)
    name = f"{dataset}-pool-{query['pool_id']}.{fmt}"
    final = part.with_name(part.name.removesuffix(".part"))
    return Prepared(download_url(user_id, part, name), name, final.stat().st_size, progress.rows)
