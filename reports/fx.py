"""FX reference rates: the register of rates (units of a currency per one euro, by date, as the
ECB publishes them), the parser of the ECB's CSV files, and the quotes the portal converts
figures into a user's reporting currency with. The maths (the rate in force on a date, cross
rates through the euro, rounding) is backend.finance.fx's; docs/business-logic.md, "Reporting
currency and FX rates", says it in words with a worked example.

Who may change what: rates are shared reference data, so only admins load them (a load moves
every converted figure of every user). Any authenticated actor reads them.

The CSV is the ECB's own (https://www.ecb.europa.eu/stats/eurofxref/): the history file
`eurofxref-hist.csv` (`Date,USD,JPY,...` then `2026-09-30,1.0850,160.12,...`, often with a
trailing comma on every line) and the day's file `eurofxref.csv` (`Date, USD, JPY, ...` then
`30 September 2026, 1.0850, 160.12, ...`). `N/A` or an empty cell: no rate that day for that
currency. Columns of currencies the platform does not know are ignored and reported.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import insert as sql_insert
from sqlalchemy import select, tuple_, update

from backend.audit.interface import AuditService
from backend.finance import fx as fx_maths
from backend.finance.errors import LedgerInputError
from backend.finance.money import decimal_places, get_currency
from backend.platform.actors import Actor
from backend.platform.db import Database
from backend.platform.errors import PermissionDenied, ValidationFailed
from backend.platform.fields import DATE_MAX, DATE_MIN, decimal_from_text
from backend.platform.orm import utcnow
from backend.platform.unit_of_work import ReadView, UnitOfWork
from reports.models import FX_RATE_SCALE, FxRate
from reports.schemas import FxQuote, FxQuotes, FxRateOut, FxRatesIn, FxRatesLoaded

MAX_RATE = Decimal(10) ** 9
"""Above any currency's price of a euro (the Iranian rial is about 5e4); the column holds 9.2e10."""
MAX_QUOTES = 50_000
"""(currency, date) pairs one fx_quotes call takes: a portal page's figures, not a data dump."""
MAX_LISTED = 50_000
"""Rates one listing returns: ten years of twenty currencies; the whole ECB history is more."""
_CHUNK = 500
_NO_RATE = frozenset({"", "N/A", "NA", "-"})


@dataclass(frozen=True, slots=True)
class ParsedRates:
    """What a CSV file holds: {(date, currency): rate} and the columns left out (unknown)."""

    rates: dict[tuple[date, str], Decimal]
    ignored_currencies: list[str]


_MONTHS = {
    name: number
    for number, name in enumerate(
        (
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ),
        start=1,
    )
}


def _cell_date(text: str) -> date:
    """ISO (the history file) or `30 September 2026` (the day's file; English month names,
    whatever the server's locale, so not strptime's %B)."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    parts = text.split()
    if len(parts) == 3 and parts[0].isdigit() and parts[2].isdigit() and parts[1].lower() in _MONTHS:
        try:
            return date(int(parts[2]), _MONTHS[parts[1].lower()], int(parts[0]))
        except ValueError:
            pass
    raise ValueError(f"{text!r} is not a date like 2026-09-30 or 30 September 2026")


def _check_rate(rate: Decimal) -> str | None:
    """Why `rate` cannot be a per-euro rate, or None if it can."""
    if not rate > 0:
        return f"must be above 0, got {rate}"
    if rate > MAX_RATE:
        return f"must be at most {MAX_RATE:,f}, got {rate}"
    if decimal_places(rate) > FX_RATE_SCALE:
        return f"at most {FX_RATE_SCALE} decimal places, got {rate}"
    return None


def rates_from_csv(text: str) -> ParsedRates:
    """Parse the ECB's CSV (either file's shape). Raises ValidationFailed naming the line and
    column of the first bad cell: `csv: line 3: USD: ...`."""
    try:
        return _rates(text)
    except csv.Error as exc:  # a stray carriage return, an unclosed quote: the file, not us
        raise ValidationFailed(f"csv: not readable as CSV: {exc}", field="csv") from None


def _rates(text: str) -> ParsedRates:
    # newline="": the csv module reads \r, \n and \r\n line ends itself, as its docs ask.
    # skipinitialspace: the day's file writes ", " between cells.
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), skipinitialspace=True)
    columns, ignored = _columns(next(reader, None))
    rates: dict[tuple[date, str], Decimal] = {}
    for number, row in enumerate(reader, start=2):
        cells = [c.strip() for c in row]
        if any(cells):  # a blank line (the day's file ends with one) says nothing
            _read_row(number, cells, columns, rates)
    return ParsedRates(rates, sorted(set(ignored)))


def _columns(header: list[str] | None) -> tuple[list[tuple[int, str]], list[str]]:
    """The (position, currency) of each column read, and the codes of those ignored."""
    if not header or header[0].strip().lstrip("\ufeff").lower() != "date":
        raise ValidationFailed(
            "csv: the header must start with the column Date, then currency codes", field="csv"
        )
    columns: list[tuple[int, str]] = []
    ignored: list[str] = []
    for position, name in enumerate(header[1:], start=1):
        code = name.strip().upper()
        if not code:
            continue  # the trailing comma's empty column
        try:
            get_currency(code)
        except LedgerInputError:
            ignored.append(code)
            continue
        if any(code == seen for _, seen in columns):
            raise ValidationFailed(f"csv: line 1: the column {code} appears twice", field="csv")
        columns.append((position, code))
    return columns, ignored


def _read_row(
    number: int, cells: list[str], columns: list[tuple[int, str]], rates: dict[tuple[date, str], Decimal]
) -> None:
    try:
        day = _cell_date(cells[0])
    except ValueError as exc:
        raise ValidationFailed(f"csv: line {number}: Date: {exc}", field="csv") from None
    if not DATE_MIN <= day <= DATE_MAX:
        raise ValidationFailed(
            f"csv: line {number}: Date: {day} is outside {DATE_MIN} to {DATE_MAX}", field="csv"
        )
    for position, code in columns:
        cell = cells[position] if position < len(cells) else ""
        if cell.upper() in _NO_RATE:
            continue  # no rate that day for that currency
        try:
            rate = decimal_from_text(cell)
        except ValueError as exc:
            raise ValidationFailed(f"csv: line {number}: {code}: {cell!r} {exc}", field="csv") from None
        problem = _check_rate(rate)
        if problem is not None:
            raise ValidationFailed(f"csv: line {number}: {code}: {problem}", field="csv")
        if rates.get((day, code), rate) != rate:
            raise ValidationFailed(
                f"csv: line {number}: {code}: {day} is given twice with different rates", field="csv"
            )
        rates[(day, code)] = rate


def convert(amount: Decimal, quote: FxQuote) -> Decimal | None:
    """`amount` (in quote.from_currency, dated quote.on) in quote.to_currency, rounded once to its
    minor unit half-even; None when the quote's rate is missing. Pure: no I/O."""
    if quote.from_per_eur is None or quote.to_per_eur is None:
        return None
    return fx_maths.convert_amount(amount, quote.from_per_eur, quote.to_per_eur, quote.to_currency)


def _known(code: str, field: str) -> str:
    try:
        return get_currency(code.strip().upper()).code
    except LedgerInputError:
        raise ValidationFailed(
            f"{field}: {code!r} is not a currency the platform knows", field=field
        ) from None


def _rows(request: FxRatesIn) -> ParsedRates:
    """The request's rates (JSON rows, then the CSV's), checked; unknown JSON currencies are
    refused (a typo), unknown CSV columns ignored (the ECB publishes thirty)."""
    rates: dict[tuple[date, str], Decimal] = {}
    for i, row in enumerate(request.rates):
        code = _known(row.currency, f"rates[{i}].currency")
        problem = _check_rate(row.rate)
        if problem is not None:
            raise ValidationFailed(f"rates[{i}].rate: {problem}", field=f"rates[{i}].rate")
        rates[(row.date, code)] = row.rate
    ignored: list[str] = []
    if request.csv:
        parsed = rates_from_csv(request.csv)
        rates.update(parsed.rates)
        ignored = parsed.ignored_currencies
    return ParsedRates(rates, ignored)


def _stored(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-FX_RATE_SCALE))


class FxRegister:
    """The FX rate table, read and written in its own units of work."""

    def __init__(self, db: Database, audit: AuditService | None) -> None:
        self._db = db
        self._audit = audit

    def load(self, actor: Actor, request: FxRatesIn) -> FxRatesLoaded:
        """Store the rates in one transaction: a (date, currency) already stored with another
        value is replaced and the correction audited with both values."""
        if not actor.is_admin:
            raise PermissionDenied("only an admin loads FX rates (shared reference data)")
        if self._audit is None:  # pragma: no cover - the container always wires it
            raise RuntimeError("FX rates are loaded with an audit service wired")
        parsed = _rows(request)
        if not parsed.rates:
            raise ValidationFailed("rates: nothing to load", field="rates")
        wanted = {key: _stored(rate) for key, rate in parsed.rates.items()}
        keys = sorted(wanted)
        new = replaced = unchanged = 0
        now = utcnow()
        with UnitOfWork(self._db, actor.reader_key) as uow:
            session = uow.session
            for i in range(0, len(keys), _CHUNK):
                chunk = keys[i : i + _CHUNK]
                existing = {
                    (d, c): r
                    for d, c, r in session.execute(
                        select(FxRate.rate_date, FxRate.currency, FxRate.rate)
                        .where(tuple_(FxRate.rate_date, FxRate.currency).in_(chunk))
                        .with_for_update()
                    )
                }
                fresh = [k for k in chunk if k not in existing]
                if fresh:
                    session.execute(
                        sql_insert(FxRate),
                        [
                            {
                                "rate_date": d,
                                "currency": c,
                                "rate": wanted[(d, c)],
                                "loaded_at": now,
                                "loaded_by_user_id": actor.user_id,
                            }
                            for d, c in fresh
                        ],
                    )
                new += len(fresh)
                for (d, c), old in existing.items():
                    if old == wanted[(d, c)]:
                        unchanged += 1
                        continue
                    replaced += 1
                    session.execute(
                        update(FxRate)
                        .where(FxRate.rate_date == d, FxRate.currency == c)
                        .values(rate=wanted[(d, c)], loaded_at=now, loaded_by_user_id=actor.user_id)
                    )
                    self._audit.record(
                        session,
                        actor,
                        "fx_rate.corrected",
                        "fx_rate",
                        f"{c}:{d.isoformat()}",
                        before={"rate": format(old, "f")},
                        after={"rate": format(wanted[(d, c)], "f")},
                    )
            out = FxRatesLoaded(
                new=new,
                replaced=replaced,
                unchanged=unchanged,
                ignored_currencies=parsed.ignored_currencies,
                first_date=keys[0][0],
                last_date=keys[-1][0],
            )
            self._audit.record(
                session,
                actor,
                "fx_rates.loaded",
                "fx_rates",
                f"{keys[0][0]}..{keys[-1][0]}",
                after=out.model_dump(mode="json"),
            )
            uow.commit()
        return out

    def list_rates(
        self,
        actor: Actor,
        *,
        start: date | None = None,
        end: date | None = None,
        currencies: Collection[str] | None = None,
    ) -> list[FxRateOut]:
        """The stored rates between start and end (inclusive), by date then currency."""
        codes = sorted({_known(c, "currency") for c in currencies or ()})
        if start is not None and end is not None and end < start:
            raise ValidationFailed(f"end: {end} is before start {start}", field="end")
        stmt = select(FxRate.rate_date, FxRate.currency, FxRate.rate)
        if start is not None:
            stmt = stmt.where(FxRate.rate_date >= start)
        if end is not None:
            stmt = stmt.where(FxRate.rate_date <= end)
        if codes:
            stmt = stmt.where(FxRate.currency.in_(codes))
        with ReadView(self._db, actor.reader_key) as view:
            rows = view.session.execute(
                stmt.order_by(FxRate.rate_date, FxRate.currency).limit(MAX_LISTED + 1)
            ).all()
        if len(rows) > MAX_LISTED:
            raise ValidationFailed(
                f"start: more than {MAX_LISTED} rates in that range; ask for fewer dates or currencies",
                field="start",
            )
        return [FxRateOut(date=d, currency=c, rate=r) for d, c, r in rows]

    def rates_in_force(self, actor: Actor, on: date) -> list[FxRateOut]:
        """Each currency's rate in force on `on` (the lookup rule), dated as published."""
        with ReadView(self._db, actor.reader_key) as view:
            codes = list(view.session.scalars(select(FxRate.currency).distinct()))
        published = self._published(actor, codes, on, on)
        out = []
        for code in sorted(published):
            found = fx_maths.rate_in_force(published[code], on)
            if found is not None:
                out.append(FxRateOut(date=found[0], currency=code, rate=found[1]))
        return out

    def quotes(self, actor: Actor, wanted: Iterable[tuple[str, date]], to_currency: str) -> FxQuotes:
        """For each (from_currency, date): the cross rate into `to_currency` in force that day,
        with the per-euro rates and their dates; rate None when either is missing."""
        target = _known(to_currency, "to_currency")
        pairs = sorted({(_known(c, "currency"), d) for c, d in wanted})
        if len(pairs) > MAX_QUOTES:
            raise ValidationFailed(f"wanted: at most {MAX_QUOTES} (currency, date) pairs", field="wanted")
        if not pairs:
            return FxQuotes(to_currency=target, quotes=[])
        codes = {c for c, _ in pairs} | {target}
        first = min(d for _, d in pairs)
        last = max(d for _, d in pairs)
        published = self._published(actor, codes, first, last)
        quotes = [self._quote(published, source, target, on) for source, on in pairs]
        return FxQuotes(to_currency=target, quotes=quotes)

    def _published(
        self, actor: Actor, codes: Collection[str], first: date, last: date
    ) -> dict[str, list[tuple[date, Decimal]]]:
        """{currency: [(date, rate)...] sorted} for the dates a lookup on first..last may use."""
        stored = sorted(c for c in codes if c != fx_maths.BASE_CURRENCY)
        out: dict[str, list[tuple[date, Decimal]]] = {c: [] for c in stored}
        if not stored:
            return out
        since = max(DATE_MIN, first - timedelta(days=fx_maths.MAX_RATE_AGE_DAYS))
        with ReadView(self._db, actor.reader_key) as view:
            rows = view.session.execute(
                select(FxRate.currency, FxRate.rate_date, FxRate.rate)
                .where(FxRate.currency.in_(stored), FxRate.rate_date >= since, FxRate.rate_date <= last)
                .order_by(FxRate.currency, FxRate.rate_date)
            )
            for code, day, rate in rows:
                out[code].append((day, rate))
        return out

    @staticmethod
    def _quote(
        published: dict[str, list[tuple[date, Decimal]]], source: str, target: str, on: date
    ) -> FxQuote:
        def leg(code: str) -> tuple[Decimal | None, date | None]:
            if code == fx_maths.BASE_CURRENCY:
                return Decimal(1), None
            found = fx_maths.rate_in_force(published.get(code, []), on)
            return (found[1], found[0]) if found is not None else (None, None)

        if source == target:  # no rate needed: 1, whatever was published
            one = Decimal(1)
            return FxQuote(
                from_currency=source,
                to_currency=target,
                on=on,
                rate=one,
                from_per_eur=one,
                to_per_eur=one,
                from_rate_date=None,
                to_rate_date=None,
            )
        from_rate, from_date = leg(source)
        to_rate, to_date = leg(target)
        shown = (
            fx_maths.shown_cross_rate(from_rate, to_rate)
            if from_rate is not None and to_rate is not None
            else None
        )
        return FxQuote(
            from_currency=source,
            to_currency=target,
            on=on,
            rate=shown,
            from_per_eur=from_rate,
            to_per_eur=to_rate,
            from_rate_date=from_date,
            to_rate_date=to_date,
        )
