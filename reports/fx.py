"""FX reference rates: the register of rates (units of a currency per one euro, by date, as the
ECB publishes them), the parser of the ECB's CSV files (reports.fx_rate_input), and the quotes
the portal converts figures into a user's reporting currency with. The maths (the rate in force
on a date, cross rates through the euro, rounding) is backend.finance.fx's;
docs/business-logic.md, "Reporting currency and FX rates", says it in words with a worked example.

Who may change what: rates are shared reference data, so only admins load them (a load moves
every converted figure of every user). Any authenticated actor reads them.

The CSV is the ECB's own (https://www.ecb.europa.eu/stats/eurofxref/): the history file
`eurofxref-hist.csv` (`Date,USD,JPY,...` then `2026-09-30,1.0850,160.12,...`, often with a
trailing comma on every line) and the day's file `eurofxref.csv` (`Date, USD, JPY, ...` then
`30 September 2026, 1.0850, 160.12, ...`). `N/A` or an empty cell: no rate that day for that
currency. Columns of currencies the platform does not know are ignored and reported.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import insert as sql_insert
from sqlalchemy import select, tuple_, update

from backend.audit.interface import AuditService
from backend.finance import fx as fx_maths
from backend.platform.actors import Actor
from backend.platform.db import Database
from backend.platform.errors import PermissionDenied, ValidationFailed
from backend.platform.fields import DATE_MIN
from backend.platform.orm import utcnow
from backend.platform.unit_of_work import ReadView, UnitOfWork
from reports.fx_rate_input import MAX_RATE, ParsedRates, _known, _rows, rates_from_csv
from reports.models import FX_RATE_SCALE, FxRate
from reports.schemas import FxQuote, FxQuotes, FxRateOut, FxRatesIn, FxRatesLoaded

# Reading and checking the rates a load is given is reports.fx_rate_input's; named here as before.
__all__ = ["MAX_LISTED", "MAX_QUOTES", "MAX_RATE", "FxRegister", "ParsedRates", "convert", "rates_from_csv"]

MAX_QUOTES = 50_000
"""(currency, date) pairs one fx_quotes call takes: a portal page's figures, not a data dump."""
MAX_LISTED = 50_000
"""Rates one listing returns: ten years of twenty currencies; the whole ECB history is more."""
_CHUNK = 500


def convert(amount: Decimal, quote: FxQuote) -> Decimal | None:
    """`amount` (in quote.from_currency, dated quote.on) in quote.to_currency, rounded once to its
    minor unit half-even; None when the quote's rate is missing. Pure: no I/O."""
    if quote.from_per_eur is None or quote.to_per_eur is None:
        return None
    return fx_maths.convert_amount(amount, quote.from_per_eur, quote.to_per_eur, quote.to_currency)


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
