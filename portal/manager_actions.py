"""The manager's actions: forms, their confirmation step, and the one callback behind them all.

Each action is parsed into the service's own request type, previewed (the same rule the write
runs, over the current books, writing nothing), and posted only when the manager confirms
the preview. The idempotency key is made when the confirmation is shown and travels with it,
so a double click on "Confirm" posts once. Every call acts as the signed-in user: the
service decides whether this manager may touch this pool.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import dash_bootstrap_components as dbc
from dash import ALL, MATCH, Input, Output, State, callback, ctx, dcc, html, no_update
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import BadRequest

from backend.finance.fees import AccrualFrequency
from backend.finance.waterfall import Compounding
from backend.investors.schemas import CommitmentCreate, InvestorUpdate, KycStatus
from backend.platform.actors import Actor, Role
from backend.platform.errors import DomainError, NotFound, PermissionDenied
from backend.pools.schemas import (
    ManagementFeeTerms,
    PerformanceFeeTerms,
    PoolCreate,
    PoolKind,
    PoolOut,
    PoolSettings,
    PoolStatus,
    PoolUpdate,
    WaterfallTerms,
)
from ledger.previews import Preview
from ledger.schemas import (
    CapitalCallRequest,
    DistributionRequest,
    ReversalRequest,
    TransactionRequest,
    ValuationRequest,
)
from portal.components import forms
from portal.components.charts import waterfall_split
from portal.components.forms import Field, FormSpec
from portal.context import services
from portal.formatting import DASH, money, number
from portal.session import current_actor

CURRENCY_CHOICES = ("USD", "EUR", "GBP", "CHF", "JPY")
YES_NO = (("true", "Yes"), ("false", "No"))
NOT_PERMITTED = "Not permitted: you do not manage this pool."


class FormError(Exception):
    """Problems with the form, by field name (the service's field names)."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = dict(errors)


def _today() -> date:
    return date.today()


def _clean(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v not in (None, "")}


def _text(value: Any) -> Any:
    # Numbers from <input type=number> arrive as JSON numbers: keep them exact as text.
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _parse(model: type[BaseModel], data: Mapping[str, Any]) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for err in exc.errors(include_url=False, include_input=False):
            name = ".".join(str(part) for part in err["loc"]) or "form"
            errors.setdefault(name, err["msg"])
        raise FormError(errors) from None


def domain_errors(exc: DomainError) -> dict[str, str]:
    """A service error, by field. The detail often starts with "field: " already."""
    name = exc.field or "form"
    detail = exc.detail
    prefix = f"{name}: "
    if detail.startswith(prefix):
        detail = detail[len(prefix) :]
    return {name: detail}


# -- the actions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    name: str
    parse: Callable[[Mapping[str, Any]], Any]
    preview: Callable[[Actor, int | None, Any], Component]
    post: Callable[[Actor, int | None, Any, str], Component]
    aliases: Mapping[str, str] = field(default_factory=dict)
    """The service's field name -> this form's, where they differ."""

    def errors(self, exc: DomainError) -> dict[str, str]:
        return {self.aliases.get(k, k): v for k, v in domain_errors(exc).items()}


def _need_pool(pool_id: int | None) -> int:
    if pool_id is None:
        raise FormError({"form": "Pick a pool first."})
    return pool_id


def _currency(actor: Actor, pool_id: int) -> str:
    return services().pools.get_pool(actor, pool_id).base_currency


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]], table_id: str | None = None) -> Any:
    return dbc.Table(
        [
            html.Thead(html.Tr([html.Th(h, scope="col") for h in headers])),
            html.Tbody([html.Tr([html.Td(c) for c in row]) for row in rows]),
        ],
        size="sm",
        bordered=False,
        striped=True,
        className="mb-2",
        id=table_id or "",
    )


def _names(actor: Actor, investor_ids: Iterable[Any]) -> dict[int, str]:
    """The legal names a preview mentions, in one read (not the whole book's)."""
    return services().investors.legal_names(actor, {int(i) for i in investor_ids})


def _posted(text: str, link: Component | None = None) -> Any:
    return dbc.Alert([html.Strong("Posted. "), text, " ", link or ""], color="success", className="mb-0")


# valuation ------------------------------------------------------------------------------------


def _parse_valuation(v: Mapping[str, Any]) -> ValuationRequest:
    data = _clean(
        {"as_of": v.get("as_of"), "net_asset_value": _text(v.get("net_asset_value")), "memo": v.get("memo")}
    )
    parsed: ValuationRequest = _parse(ValuationRequest, data)
    return parsed


def _preview_valuation(actor: Actor, pool_id: int | None, request: ValuationRequest) -> Any:
    pid = _need_pool(pool_id)
    preview = services().previews.valuation(actor, pid, request)
    return valuation_effect(preview)


def valuation_effect(preview: Preview) -> Any:
    d, c = preview.details, preview.currency
    note = None
    if not preview.lines:
        note = dbc.Alert(
            "The books already show this value: it is recorded as this day's mark, with no change to "
            "anyone's capital. Deals dated this day are struck at its NAV per unit.",
            color="info",
        )
    rows = [
        ("Previous NAV", money(d["previous_net_asset_value"], c)),
        ("New NAV", money(d["net_asset_value"], c)),
        ("Change", money(d["change"], c)),
        ("NAV per unit after", number(d.get("nav_per_unit"), 6) if d.get("nav_per_unit") else DASH),
    ]
    return html.Div(
        [html.H3("Effect", className="h6"), note, _table(("", "Amount"), rows, "effect-valuation")]
    )


def _post_valuation(actor: Actor, pool_id: int | None, request: ValuationRequest, key: str) -> Any:
    out = services().transactions.record_valuation(actor, _need_pool(pool_id), request, key)
    if not out.entry.postings:
        return _posted(
            f"Valuation as of {out.as_of} recorded as the day's mark (entry {out.entry.id}); no change."
        )
    return _posted(f"Valuation as of {out.as_of} recorded (entry {out.entry.id}).")


# subscription / redemption / capital call / distribution ---------------------------------------


def _parse_tx(kind: str) -> Callable[[Mapping[str, Any]], TransactionRequest]:
    def parse(v: Mapping[str, Any]) -> TransactionRequest:
        data = _clean(
            {
                "type": kind,
                "investor_id": v.get("investor_id"),
                "amount": _text(v.get("amount")),
                "units": _text(v.get("units")),
                "effective_date": v.get("effective_date"),
                "memo": v.get("memo"),
            }
        )
        parsed: TransactionRequest = _parse(TransactionRequest, data)
        return parsed

    return parse


def _preview_tx(actor: Actor, pool_id: int | None, request: TransactionRequest) -> Any:
    preview = services().previews.transaction(actor, _need_pool(pool_id), request)
    return deal_effect(preview, _names(actor, [preview.details.get("investor_id", 0)]))


def deal_effect(preview: Preview, names: Mapping[int, str]) -> Any:
    d, c = preview.details, preview.currency
    who = names.get(int(d.get("investor_id", 0)), f"investor {d.get('investor_id')}")
    if preview.entry_type is not None and preview.entry_type.value == "subscription":
        rows = [
            ("Investor", who),
            ("Cash in", money(d["amount"], c)),
            ("NAV per unit", number(d["nav_per_unit"], 6)),
            ("Units issued", number(d["units"], 6)),
            ("Rounding residue", money(d["residue"], c)),
        ]
    elif preview.entry_type is not None and preview.entry_type.value == "redemption":
        rows = [
            ("Investor", who),
            ("Units redeemed", number(d["units"], 6)),
            ("NAV per unit", number(d["nav_per_unit"], 6)),
            ("Proceeds", money(d["proceeds"], c)),
            ("Full exit", "yes" if d.get("full_exit") else "no"),
        ]
    else:
        rows = [(str(k), str(v)) for k, v in d.items() if not isinstance(v, dict)]
    return html.Div([html.H3("Effect", className="h6"), _table(("", ""), rows, "effect-deal")])


def _post_tx(actor: Actor, pool_id: int | None, request: TransactionRequest, key: str) -> Any:
    entry = services().transactions.record(actor, _need_pool(pool_id), request, key)
    return _posted(f"{request.type.value.replace('_', ' ').capitalize()} posted as entry {entry.id}.")


def _parse_call(v: Mapping[str, Any]) -> CapitalCallRequest:
    data = _clean(
        {
            "amount": _text(v.get("amount")),
            "percent_of_commitment": _text(v.get("percent_of_commitment")),
            "due_date": v.get("due_date"),
            "effective_date": v.get("effective_date"),
            "memo": v.get("memo"),
        }
    )
    parsed: CapitalCallRequest = _parse(CapitalCallRequest, data)
    return parsed


def _preview_call(actor: Actor, pool_id: int | None, request: CapitalCallRequest) -> Any:
    preview = services().previews.capital_call(actor, _need_pool(pool_id), request, _today())
    names = _names(actor, preview.details.get("allocation", {}))
    return allocation_effect(preview, names, "Called from each investor")


def allocation_effect(preview: Preview, names: Mapping[int, str], title: str) -> Any:
    d, c = preview.details, preview.currency
    allocation: Mapping[str, str] = d.get("allocation", {})
    rows = [(names.get(int(k), f"investor {k}"), money(v, c)) for k, v in allocation.items()]
    rows.append((html.Strong("Total"), html.Strong(money(d.get("amount"), c))))  # type: ignore[arg-type]
    return html.Div(
        [html.H3(title, className="h6"), _table(("Investor", "Amount"), rows, "effect-allocation")]
    )


def _post_call(actor: Actor, pool_id: int | None, request: CapitalCallRequest, key: str) -> Any:
    entry = services().transactions.capital_call(actor, _need_pool(pool_id), request, key)
    return _posted(f"Capital call issued as entry {entry.id}, due {request.due_date}.")


def _parse_distribution(v: Mapping[str, Any]) -> DistributionRequest:
    data = _clean(
        {
            "amount": _text(v.get("amount")),
            "mode": v.get("mode"),
            "effective_date": v.get("effective_date"),
            "memo": v.get("memo"),
        }
    )
    parsed: DistributionRequest = _parse(DistributionRequest, data)
    return parsed


def _preview_distribution(actor: Actor, pool_id: int | None, request: DistributionRequest) -> Any:
    preview = services().previews.distribution(actor, _need_pool(pool_id), request)
    d = preview.details
    return distribution_effect(preview, _names(actor, [*d.get("allocation", {}), *d.get("investors", {})]))


def distribution_effect(preview: Preview, names: Mapping[int, str]) -> Any:
    d, c = preview.details, preview.currency
    if d.get("mode") != "waterfall":
        return allocation_effect(preview, names, "Paid to each investor (pro rata)")
    tiers: Mapping[str, Mapping[str, str]] = d["tiers"]
    tier_rows: list[tuple[Any, ...]] = [
        (name.replace("_", " ").capitalize(), money(t["lp"], c), money(t["gp"], c))
        for name, t in tiers.items()
    ]
    tier_rows.append(
        (html.Strong("Total"), html.Strong(money(d["lp_total"], c)), html.Strong(money(d["gp_total"], c)))
    )
    investor_rows = [
        (
            names.get(int(k), f"investor {k}"),
            money(s["return_of_capital"], c),
            money(s["preferred_return"], c),
            money(s["catch_up"], c),
            money(s["carried_interest"], c),
            money(s["total"], c),
            money(s["gp_share_borne"], c),
        )
        for k, s in d["investors"].items()
    ]
    return html.Div(
        [
            html.H3("Waterfall: tier by tier", className="h6"),
            _table(("Tier", "Investors (LP)", "Manager (GP)"), tier_rows, "effect-tiers"),
            dcc.Graph(
                figure=waterfall_split(tiers, c), config={"displayModeBar": False}, id="effect-tiers-chart"
            ),
            html.H3("Per investor", className="h6"),
            _table(
                (
                    "Investor",
                    "Capital back",
                    "Preferred",
                    "Catch-up",
                    "Carry (LP)",
                    "Receives",
                    "GP share borne",
                ),
                investor_rows,
                "effect-investors",
            ),
            html.P("Change the amount above to see the split update.", className="small text-body-secondary"),
        ]
    )


def _post_distribution(actor: Actor, pool_id: int | None, request: DistributionRequest, key: str) -> Any:
    entry = services().transactions.distribute(actor, _need_pool(pool_id), request, key)
    return _posted(
        f"Distribution of {money(request.amount, _currency(actor, entry.pool_id))} "
        f"posted as entry {entry.id}."
    )


# reversal ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reversal:
    entry_id: int
    request: ReversalRequest


def _parse_reversal(v: Mapping[str, Any]) -> Reversal:
    errors: dict[str, str] = {}
    entry = v.get("entry_id")
    if entry in (None, ""):
        errors["entry_id"] = "Give the id of the entry to reverse."
    memo = (v.get("memo") or "").strip()
    if not memo:
        errors["memo"] = "Say why the entry is reversed: the reason is kept with the reversal."
    if errors:
        raise FormError(errors)
    try:
        entry_id = int(str(entry))
    except ValueError:
        raise FormError({"entry_id": "must be a whole number"}) from None
    request = _parse(ReversalRequest, _clean({"memo": memo, "effective_date": v.get("effective_date")}))
    return Reversal(entry_id, request)


def _preview_reversal(actor: Actor, pool_id: int | None, reversal: Reversal) -> Any:
    preview = services().previews.reversal(actor, _need_pool(pool_id), reversal.entry_id)
    c = preview.currency
    rows = [
        (
            line.account.value,
            str(line.investor_id or ""),
            money(line.amount, c)
            if line.account.value not in ("units", "units_outstanding")
            else number(line.amount, 6),
        )
        for line in preview.lines
    ]
    kind = preview.entry_type.value if preview.entry_type else "entry"
    return html.Div(
        [
            html.H3(f"Reversing {kind} #{reversal.entry_id} of {preview.effective_date}", className="h6"),
            _table(("Account", "Investor", "Reversing amount"), rows, "effect-reversal"),
        ]
    )


def _post_reversal(actor: Actor, pool_id: int | None, reversal: Reversal, key: str) -> Any:
    # The preview above checked the entry belongs to this pool; the service re-checks the manager.
    services().previews.reversal(actor, _need_pool(pool_id), reversal.entry_id)
    entry = services().transactions.reverse(actor, reversal.entry_id, reversal.request, key)
    return _posted(f"Entry {reversal.entry_id} reversed by entry {entry.id}.")


# commitment / KYC ---------------------------------------------------------------------------------


def _parse_commitment(v: Mapping[str, Any]) -> CommitmentCreate:
    data = _clean(
        {
            "investor_id": v.get("investor_id"),
            "amount": _text(v.get("amount")),
            "effective_date": v.get("effective_date"),
        }
    )
    parsed: CommitmentCreate = _parse(CommitmentCreate, data)
    return parsed


def _preview_commitment(actor: Actor, pool_id: int | None, request: CommitmentCreate) -> Any:
    pool = services().pools.require_manage(actor, _need_pool(pool_id))
    name = _names(actor, [request.investor_id]).get(request.investor_id, f"investor {request.investor_id}")
    rows = [
        ("Pool", pool.name),
        ("Investor", name),
        ("Commitment", money(request.amount, pool.base_currency)),
        ("Effective", str(request.effective_date or _today())),
    ]
    return html.Div([html.H3("Effect", className="h6"), _table(("", ""), rows, "effect-commitment")])


def _post_commitment(actor: Actor, pool_id: int | None, request: CommitmentCreate, key: str) -> Any:
    out = services().investors.create_commitment(actor, _need_pool(pool_id), request)
    return _posted(f"Commitment {out.id} of {money(out.amount, out.currency)} recorded.")


@dataclass(frozen=True)
class KycDecision:
    investor_id: int
    status: KycStatus


def _parse_kyc(v: Mapping[str, Any]) -> KycDecision:
    errors = {}
    if not v.get("investor_id"):
        errors["investor_id"] = "Pick an investor."
    if v.get("kyc_status") not in {s.value for s in KycStatus}:
        errors["kyc_status"] = "Pick a decision."
    if errors:
        raise FormError(errors)
    return KycDecision(int(str(v["investor_id"])), KycStatus(v["kyc_status"]))


def _preview_kyc(actor: Actor, pool_id: int | None, decision: KycDecision) -> Any:
    investor = services().investors.get_investor(actor, decision.investor_id)
    rows = [
        ("Investor", investor.legal_name),
        ("Country", investor.country),
        ("KYC now", investor.kyc_status.value),
        ("KYC after", decision.status.value),
    ]
    return html.Div([html.H3("Effect", className="h6"), _table(("", ""), rows, "effect-kyc")])


def _post_kyc(actor: Actor, pool_id: int | None, decision: KycDecision, key: str) -> Any:
    out = services().investors.update_investor(
        actor, decision.investor_id, InvestorUpdate(kyc_status=decision.status)
    )
    return _posted(f"{out.legal_name}: KYC {out.kyc_status.value}.")


# create pool / edit its settings / close or liquidate it ------------------------------------------


def _flag(value: Any) -> bool:
    return str(value).lower() in {"true", "1", "yes", "on"}


def _settings_data(v: Mapping[str, Any]) -> dict[str, Any]:
    """The settings form's values as the pool service's settings (empty fee fields: no such fee)."""
    data: dict[str, Any] = _clean(
        {
            "name": (v.get("name") or "").strip(),
            "kind": v.get("kind"),
            "base_currency": v.get("base_currency"),
            "inception_date": v.get("inception_date"),
            "initial_nav_per_unit": _text(v.get("initial_nav_per_unit")),
            "minimum_subscription": _text(v.get("minimum_subscription")),
        }
    )
    if v.get("management_fee.rate") not in (None, ""):
        data["management_fee"] = _clean(
            {
                "rate": _text(v.get("management_fee.rate")),
                "basis": v.get("management_fee.basis"),
                "frequency": v.get("management_fee.frequency"),
            }
        )
    if v.get("kind") == "open_ended" and v.get("performance_fee.rate") not in (None, ""):
        data["performance_fee"] = _clean(
            {
                "rate": _text(v.get("performance_fee.rate")),
                "high_water_mark": _flag(v.get("performance_fee.high_water_mark", "true")),
                "hurdle_rate": _text(v.get("performance_fee.hurdle_rate")),
            }
        )
    if v.get("kind") == "closed_ended":
        data["waterfall"] = _clean(
            {
                "preferred_return_rate": _text(v.get("waterfall.preferred_return_rate")),
                "catch_up_rate": _text(v.get("waterfall.catch_up_rate")),
                "carried_interest_rate": _text(v.get("waterfall.carried_interest_rate")),
                "compounding": v.get("waterfall.compounding"),
            }
        )
    return data


def pool_create_request(v: Mapping[str, Any]) -> PoolCreate:
    """The create-pool form as the pool service's PoolCreate (empty fee fields: no such fee)."""
    parsed: PoolCreate = _parse(PoolCreate, _settings_data(v))
    return parsed


def _preview_pool(actor: Actor, pool_id: int | None, request: PoolCreate) -> Any:
    return pool_summary(request)


def pool_summary(request: PoolCreate) -> Any:
    c = request.base_currency
    rows: list[tuple[str, str]] = [
        ("Name", request.name),
        ("Kind", request.kind.value.replace("_", "-")),
        ("Currency", c),
        ("Inception", request.inception_date.isoformat()),
        ("Launch NAV per unit", number(request.initial_nav_per_unit, 6)),
        ("Minimum subscription", money(request.minimum_subscription, c)),
    ]
    for name in ("management_fee", "performance_fee", "waterfall"):
        terms = getattr(request, name)
        if terms is not None:
            rows.append((SETTING_LABELS[name], _terms_text(terms)))
    return html.Div(
        [html.H3("The pool to create", className="h6"), _table(("Setting", "Value"), rows, "effect-pool")]
    )


def _post_pool(actor: Actor, pool_id: int | None, request: PoolCreate, key: str) -> Any:
    pool = services().pools.create_pool(actor, request)
    link = dcc.Link(f"Open {pool.name}", href=f"/manager/pools/{pool.id}", id="new-pool-link")
    return _posted(f"Pool {pool.name} (#{pool.id}) created.", link)


SETTING_NAMES = tuple(PoolSettings.model_fields)
"""Every setting of a pool, as PoolUpdate names them: the unit an edit sends or leaves out."""
FROZEN_ONCE_BOOKED = ("kind", "base_currency", "initial_nav_per_unit")
"""What the books are kept in and priced from: the pool service refuses to move these once the
pool has a journal entry or a commitment, so the form shows them fixed."""
SETTING_LABELS: dict[str, str] = {
    "name": "Name",
    "kind": "Kind",
    "base_currency": "Currency",
    "inception_date": "Inception date",
    "initial_nav_per_unit": "Launch NAV per unit",
    "minimum_subscription": "Minimum subscription",
    "management_fee": "Management fee",
    "management_fee.rate": "Management fee rate",
    "management_fee.basis": "Fee basis",
    "management_fee.frequency": "Fee frequency",
    "management_fee.day_count": "Fee day count",
    "performance_fee": "Performance fee",
    "performance_fee.rate": "Performance fee rate",
    "performance_fee.high_water_mark": "High-water mark",
    "performance_fee.hurdle_rate": "Hurdle rate",
    "waterfall": "Waterfall",
    "waterfall.style": "Waterfall style",
    "waterfall.preferred_return_rate": "Preferred return",
    "waterfall.compounding": "Compounding",
    "waterfall.catch_up_rate": "GP catch-up",
    "waterfall.carried_interest_rate": "Carried interest",
    "waterfall.day_count": "Waterfall day count",
}
# A whole set of terms is named by the service (e.g. "waterfall: only a closed-ended pool ...");
# the form shows that next to the first field of the set.
_TERM_FIELDS = {
    "management_fee": "management_fee.rate",
    "performance_fee": "performance_fee.rate",
    "waterfall": "waterfall.preferred_return_rate",
}


def _percent(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}%"


def _setting_text(key: str, value: Any, currency: str) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        if key == "minimum_subscription":
            return money(value, currency)
        return _percent(value) if key.endswith("rate") else number(value, 6)
    if isinstance(value, date):
        return value.isoformat()
    return str(getattr(value, "value", value)).replace("_", " ")


def _terms_text(terms: BaseModel) -> str:
    if isinstance(terms, ManagementFeeTerms):
        return f"{_percent(terms.rate)} p.a. on {terms.basis.value}, accrued {terms.frequency.value}"
    if isinstance(terms, PerformanceFeeTerms):
        hwm = "with" if terms.high_water_mark else "without"
        return f"{_percent(terms.rate)} {hwm} high-water mark, hurdle {_percent(terms.hurdle_rate)}"
    if isinstance(terms, WaterfallTerms):
        return (
            f"pref {_percent(terms.preferred_return_rate)} ({terms.compounding.value}), catch-up "
            f"{_percent(terms.catch_up_rate)}, carry {_percent(terms.carried_interest_rate)}"
        )
    return str(terms)


def setting_changes(
    before: PoolSettings, after: PoolSettings, names: Iterable[str]
) -> list[tuple[str, str, str]]:
    """(setting, now, after) for each setting in `names` that differs: a set of terms added or
    removed is one row, terms changed in place are a row per term that moves."""
    rows: list[tuple[str, str, str]] = []
    for name in names:
        old, new = getattr(before, name), getattr(after, name)
        if old == new:
            continue
        if isinstance(old, BaseModel) and isinstance(new, BaseModel):
            for key in type(old).model_fields:
                a, b = getattr(old, key), getattr(new, key)
                if a != b:
                    label = SETTING_LABELS.get(f"{name}.{key}", f"{name}.{key}")
                    rows.append(
                        (
                            label,
                            _setting_text(key, a, before.base_currency),
                            _setting_text(key, b, after.base_currency),
                        )
                    )
        elif isinstance(old, BaseModel) or isinstance(new, BaseModel):
            rows.append(
                (
                    SETTING_LABELS[name],
                    _terms_text(old) if old is not None else "none",
                    _terms_text(new) if new is not None else "none",
                )
            )
        else:
            rows.append(
                (
                    SETTING_LABELS[name],
                    _setting_text(name, old, before.base_currency),
                    _setting_text(name, new, after.base_currency),
                )
            )
    return rows


@dataclass(frozen=True)
class SettingsEdit:
    """The settings form: what it was opened with and what it says now.

    Only the settings the manager changed in the form are sent, so a setting someone else
    changed meanwhile is never put back; one both changed is refused (`conflicts`)."""

    baseline: PoolSettings
    edited: PoolSettings

    def changes(self, current: PoolSettings) -> list[str]:
        """Settings changed in the form that the pool does not already have."""
        return [
            n
            for n in SETTING_NAMES
            if getattr(self.edited, n) != getattr(self.baseline, n)
            and getattr(self.edited, n) != getattr(current, n)
        ]

    def conflicts(self, current: PoolSettings) -> list[str]:
        """Settings changed here that someone else changed too since the form was opened."""
        return [n for n in self.changes(current) if getattr(current, n) != getattr(self.baseline, n)]

    def update(self, current: PoolSettings) -> PoolUpdate:
        changed = self.changes(current)
        # Present and null removes a set of terms; absent leaves a setting alone.
        update: PoolUpdate = PoolUpdate.model_validate(self.edited.model_dump(include=set(changed)))
        return update


def settings_of(pool: PoolOut) -> PoolSettings:
    return PoolSettings.model_validate(pool.model_dump(include=set(SETTING_NAMES)))


def _parse_settings(v: Mapping[str, Any]) -> SettingsEdit:
    try:
        baseline = PoolSettings.model_validate_json(str(v.get("baseline") or ""))
    except ValidationError:
        raise FormError({"form": "This form is out of date: reload the page and edit again."}) from None
    edited: PoolSettings = _parse(PoolSettings, _settings_data(v))
    # Terms the form does not show (day counts, waterfall style) stay as they are.
    kept: dict[str, Any] = {}
    if edited.management_fee and baseline.management_fee:
        kept["management_fee"] = edited.management_fee.model_copy(
            update={"day_count": baseline.management_fee.day_count}
        )
    if edited.waterfall and baseline.waterfall:
        kept["waterfall"] = edited.waterfall.model_copy(
            update={"day_count": baseline.waterfall.day_count, "style": baseline.waterfall.style}
        )
    return SettingsEdit(baseline, edited.model_copy(update=kept))


def pool_has_history(pool_id: int) -> bool:
    """Whether the pool has a journal entry or a commitment: then its kind, currency and launch
    price are fixed (the pool service's own rule, asked before the manager types)."""
    return services().investors.has_commitments(pool_id) or services().ledger.has_entries(pool_id)


def _settings_to_change(actor: Actor, pool_id: int | None, edit: SettingsEdit) -> tuple[PoolOut, list[str]]:
    pid = _need_pool(pool_id)
    pool = services().pools.require_manage(actor, pid)
    if pool.status is PoolStatus.LIQUIDATED:
        raise FormError({"form": f"{pool.name} is liquidated: its settings are final."})
    current = settings_of(pool)
    taken = edit.conflicts(current)
    if taken:
        raise FormError(
            {
                _TERM_FIELDS.get(n, n): "changed by someone else since this form was opened; "
                "reload the page to see it and edit again"
                for n in taken
            }
        )
    changed = edit.changes(current)
    frozen = [n for n in changed if n in FROZEN_ONCE_BOOKED]
    if frozen and pool_has_history(pid):
        raise FormError({n: "cannot change once the pool has entries in its books" for n in frozen})
    return pool, changed


def _preview_settings(actor: Actor, pool_id: int | None, edit: SettingsEdit) -> Any:
    pool, changed = _settings_to_change(actor, pool_id, edit)
    if not changed:
        return dbc.Alert(
            "Nothing changes: the form matches the pool's settings.",
            color="info",
            className="mb-0",
            id="effect-settings-none",
        )
    rows = setting_changes(settings_of(pool), edit.edited, changed)
    return html.Div(
        [
            html.H3(f"What changes in {pool.name}", className="h6"),
            _table(("Setting", "Now", "After"), rows, "effect-settings"),
        ]
    )


def _post_settings(actor: Actor, pool_id: int | None, edit: SettingsEdit, key: str) -> Any:
    pool, changed = _settings_to_change(actor, pool_id, edit)
    if not changed:
        return dbc.Alert(
            "Nothing to change: the pool already has these settings.", color="info", className="mb-0"
        )
    out = services().pools.update_pool(actor, pool.id, edit.update(settings_of(pool)))
    names = ", ".join(SETTING_LABELS[n].lower() for n in changed)
    return _posted(f"{out.name}: {names} updated.")


# What each status change means, as the pool service's lifecycle has it (see PoolStatus).
TRANSITIONS: dict[str, tuple[str, PoolStatus, str]] = {
    "close": (
        "Close to new money",
        PoolStatus.CLOSED,
        "No new investors, subscriptions or commitments; existing positions run on "
        "(valuations, fees, capital calls, distributions, redemptions).",
    ),
    "liquidate": (
        "Start liquidation",
        PoolStatus.LIQUIDATING,
        "Assets are being realised: only distributions and redemptions remain.",
    ),
}
_TRANSITIONS_FROM: dict[PoolStatus, tuple[str, ...]] = {
    PoolStatus.OPEN: ("close", "liquidate"),
    PoolStatus.CLOSED: ("liquidate",),
}


@dataclass(frozen=True)
class StatusChange:
    transition: str


def _parse_status(v: Mapping[str, Any]) -> StatusChange:
    transition = str(v.get("status") or "")
    if transition not in TRANSITIONS:
        raise FormError({"status": "Pick a change."})
    return StatusChange(transition)


def _preview_status(actor: Actor, pool_id: int | None, change: StatusChange) -> Any:
    pool = services().pools.require_manage(actor, _need_pool(pool_id))
    label, target, meaning = TRANSITIONS[change.transition]
    if change.transition not in _TRANSITIONS_FROM.get(pool.status, ()):
        raise FormError({"status": f"The pool is {pool.status.value}: it cannot move to {target.value}."})
    rows = [
        ("Pool", pool.name),
        ("Status now", pool.status.value),
        ("Status after", target.value),
        ("What it means", meaning),
    ]
    return html.Div(
        [
            html.H3(label, className="h6"),
            _table(("", ""), rows, "effect-status"),
            html.P("There is no way back to an earlier status.", className="small text-danger-emphasis mb-0"),
        ]
    )


def _post_status(actor: Actor, pool_id: int | None, change: StatusChange, key: str) -> Any:
    pid = _need_pool(pool_id)
    pools = services().pools
    out = pools.close_pool(actor, pid) if change.transition == "close" else pools.liquidate_pool(actor, pid)
    return _posted(f"{out.name} is now {out.status.value}.")


ACTIONS: dict[str, Action] = {
    "create_pool": Action("create_pool", pool_create_request, _preview_pool, _post_pool, _TERM_FIELDS),
    "pool_settings": Action(
        "pool_settings", _parse_settings, _preview_settings, _post_settings, _TERM_FIELDS
    ),
    "pool_status": Action("pool_status", _parse_status, _preview_status, _post_status),
    "valuation": Action(
        "valuation", _parse_valuation, _preview_valuation, _post_valuation, {"effective_date": "as_of"}
    ),
    "subscription": Action("subscription", _parse_tx("subscription"), _preview_tx, _post_tx),
    "redemption": Action("redemption", _parse_tx("redemption"), _preview_tx, _post_tx),
    "capital_call": Action("capital_call", _parse_call, _preview_call, _post_call),
    "distribution": Action("distribution", _parse_distribution, _preview_distribution, _post_distribution),
    "reversal": Action("reversal", _parse_reversal, _preview_reversal, _post_reversal),
    "commitment": Action("commitment", _parse_commitment, _preview_commitment, _post_commitment),
    "kyc": Action("kyc", _parse_kyc, _preview_kyc, _post_kyc),
}


# -- the investor picker -------------------------------------------------------------------------

PICKER_LIMIT = 50
"""Investors a picker offers at a time: the first page, then the matches for what is typed."""


@dataclass(frozen=True)
class Picker:
    """Whom one form's investor picker offers (the service checks the choice again on posting)."""

    kyc_status: KycStatus | None = None
    holders_only: bool = False
    """A redemption names only the pool's unit holders."""
    on_a_pool: bool = True
    """Offered on a pool's page, to that pool's managers only."""


PICKERS: dict[str, Picker] = {
    "subscription": Picker(KycStatus.APPROVED),
    "commitment": Picker(KycStatus.APPROVED),
    "redemption": Picker(holders_only=True),
    "kyc": Picker(KycStatus.PENDING, on_a_pool=False),
}


def investor_label(investor_id: int, legal_name: str) -> str:
    return f"{legal_name} (#{investor_id})"


def first_investors(actor: Actor, status: KycStatus | None) -> list[tuple[str, str]]:
    """(value, label) of the first page of investors, for a picker before anything is typed."""
    page = services().investors.list_investors(actor, kyc_status=status, limit=PICKER_LIMIT)
    return [(str(i.id), investor_label(i.id, i.legal_name)) for i in page.items]


def pool_holders(actor: Actor, pool_id: int) -> list[tuple[int, str]]:
    """(investor id, legal name) of the pool's unit holders, in id order, named in one read."""
    positions = services().transactions.pool_positions(actor, pool_id).positions
    held = sorted(p.investor_id for p in positions if p.units > 0)
    names = services().investors.legal_names(actor, held)
    return [(i, names.get(i, "investor")) for i in held]


def holder_matches(search: str, investor_id: int, legal_name: str) -> bool:
    """The investor service's search rule, for a pool's holders already in hand: part of the
    legal name in any case; "#123" is that id only; bare digits are the id or a name's digits."""
    text = search.strip()
    if not text:
        return True
    if text.startswith("#") and text[1:].strip().isdigit():
        return investor_id == int(text[1:].strip())
    if text.isdigit() and investor_id == int(text):
        return True
    return text.casefold() in legal_name.casefold()


def _may_pick(actor: Actor, picker: Picker, pool_id: int | None) -> bool:
    if not (actor.is_admin or actor.role is Role.MANAGER):
        return False
    if not picker.on_a_pool:
        return True
    return pool_id is not None and services().pools.can_manage(actor, pool_id)


def investor_options(
    actor: Actor, action: str, pool_id: int | None, search: str, selected: Any = None
) -> list[dict[str, str]]:
    """The picker's options for what the manager typed: at most PICKER_LIMIT matches, the
    chosen investor kept among them (a dropdown drops a value missing from its options).
    Nothing for someone who may not act on the pool, and nothing for a search the service refuses."""
    picker = PICKERS.get(action)
    if picker is None:
        return []
    try:
        if not _may_pick(actor, picker, pool_id):
            return []
        if picker.holders_only and pool_id is not None:
            found = [h for h in pool_holders(actor, pool_id) if holder_matches(search, *h)][:PICKER_LIMIT]
        else:
            page = services().investors.list_investors(
                actor, kyc_status=picker.kyc_status, search=search, limit=PICKER_LIMIT
            )
            found = [(i.id, i.legal_name) for i in page.items]
        chosen = int(selected) if str(selected or "").isdigit() else None
        if chosen is not None and all(i != chosen for i, _ in found):
            named = services().investors.legal_names(actor, [chosen])  # only one this actor may see
            found = [(chosen, named[chosen]), *found] if chosen in named else found
    except DomainError:
        return []
    return [{"label": investor_label(i, name), "value": str(i)} for i, name in found]


# -- the forms ---------------------------------------------------------------------------------


def _investor_field(options: Sequence[tuple[str, str]], help: str, label: str = "Investor") -> Field:
    more = f" The first {PICKER_LIMIT} are listed; type part of a name or #id to find others."
    return Field("investor_id", label, "investor", options, required=True, help=help + more)


def pool_forms(
    actor: Actor, kind: str, today: date, holders: Sequence[tuple[str, str]] | None = None
) -> list[FormSpec]:
    """The forms for one pool, by its kind. `holders` (value, label) are the investors who hold
    units in the pool: the only ones a redemption can name (its picker starts with the first
    PICKER_LIMIT of them and searches the rest)."""
    approved = first_investors(actor, KycStatus.APPROVED)
    held = list(holders or [])[:PICKER_LIMIT]
    day = today.isoformat()
    memo = Field("memo", "Memo", "text")
    specs = [
        FormSpec(
            "valuation",
            "Record a valuation",
            [
                Field("as_of", "As of", "date", default=day, required=True),
                Field(
                    "net_asset_value",
                    "Net asset value",
                    "number",
                    required=True,
                    help="The pool's NAV on that date.",
                ),
                memo,
            ],
        )
    ]
    if kind == "open_ended":
        specs += [
            FormSpec(
                "subscription",
                "Subscription",
                [
                    _investor_field(approved, "KYC-approved investors."),
                    Field("amount", "Amount", "number", required=True),
                    Field("effective_date", "Dealing date", "date", default=day, required=True),
                    memo,
                ],
            ),
            FormSpec(
                "redemption",
                "Redemption",
                [
                    _investor_field(held, "Investors holding units in this pool."),
                    Field("units", "Units", "number", required=True),
                    Field("effective_date", "Dealing date", "date", default=day, required=True),
                    memo,
                ],
            ),
        ]
    else:
        specs += [
            FormSpec(
                "commitment",
                "Add a commitment",
                [
                    _investor_field(approved, "KYC-approved investors."),
                    Field("amount", "Amount committed", "number", required=True),
                    Field("effective_date", "Effective date", "date", default=day),
                ],
            ),
            FormSpec(
                "capital_call",
                "Capital call",
                [
                    Field("amount", "Amount", "number", help="Either an amount..."),
                    Field(
                        "percent_of_commitment",
                        "Fraction of commitment",
                        "number",
                        help="...or e.g. 0.25 for 25%.",
                    ),
                    Field("due_date", "Due date", "date", required=True),
                    Field("effective_date", "Issue date", "date", default=day),
                    memo,
                ],
            ),
        ]
    modes = (
        [("waterfall", "Waterfall"), ("pro_rata", "Pro rata")]
        if kind == "closed_ended"
        else [("pro_rata", "Pro rata")]
    )
    specs += [
        FormSpec(
            "distribution",
            "Distribution (what-if)",
            [
                Field("amount", "Amount", "number", required=True),
                Field("mode", "Mode", "select", modes, default=modes[0][0], required=True),
                Field("effective_date", "Date", "date", default=day, required=True),
                memo,
            ],
            intro="Preview shows the split; change the amount to see it update before you post.",
        ),
        FormSpec(
            "reversal",
            "Reverse an entry",
            [
                Field(
                    "entry_id",
                    "Entry id",
                    "number",
                    required=True,
                    step="1",
                    help="From the transactions table.",
                ),
                Field("memo", "Reason", "text", required=True),
                Field("effective_date", "Reversal date", "date", help="Defaults to the original's date."),
            ],
        ),
    ]
    return specs


def _settings_fields(values: Mapping[str, Any], *, fixed: Collection[str] = ()) -> list[Field]:
    """Every setting of a pool as form fields, filled from `values` (form field name -> value);
    the settings named in `fixed` are shown but cannot be changed."""

    def field(name: str, kind: str = "text", options: Sequence[tuple[str, str]] = (), **extra: Any) -> Field:
        if name in fixed:
            extra["disabled"] = True
            extra["help"] = "Fixed: the pool has entries in its books."
        return Field(name, SETTING_LABELS[name], kind, options, values.get(name), **extra)

    currency = str(values.get("base_currency") or "USD")
    currencies = CURRENCY_CHOICES if currency in CURRENCY_CHOICES else (*CURRENCY_CHOICES, currency)
    return [
        field("name", required=True),
        field(
            "kind", "select", [("open_ended", "Open-ended"), ("closed_ended", "Closed-ended")], required=True
        ),
        field("base_currency", "select", [(c, c) for c in currencies], required=True),
        field("inception_date", "date", required=True),
        field("initial_nav_per_unit", "number", help="Open-ended."),
        field("minimum_subscription", "number"),
        field("management_fee.rate", "number", help="Fraction p.a.: 0.02 is 2%. Empty: none."),
        field(
            "management_fee.basis",
            "select",
            [("nav", "NAV"), ("committed", "Committed"), ("invested", "Invested")],
        ),
        field("management_fee.frequency", "select", [(f.value, f.value) for f in AccrualFrequency]),
        field("performance_fee.rate", "number", help="Open-ended: e.g. 0.2. Empty: none."),
        field("performance_fee.high_water_mark", "select", YES_NO),
        field("performance_fee.hurdle_rate", "number"),
        field("waterfall.preferred_return_rate", "number", help="Closed-ended."),
        field("waterfall.catch_up_rate", "number"),
        field("waterfall.carried_interest_rate", "number"),
        field("waterfall.compounding", "select", [(c.value, c.value) for c in Compounding]),
    ]


def _new_pool_values(today: date) -> dict[str, Any]:
    return {
        "kind": "open_ended",
        "base_currency": "USD",
        "inception_date": today.isoformat(),
        "initial_nav_per_unit": "1.000000",
        "minimum_subscription": "0",
        "management_fee.basis": "nav",
        "management_fee.frequency": "quarterly",
        "performance_fee.high_water_mark": "true",
        "performance_fee.hurdle_rate": "0",
        "waterfall.preferred_return_rate": "0.08",
        "waterfall.catch_up_rate": "1",
        "waterfall.carried_interest_rate": "0.2",
        "waterfall.compounding": "annual",
    }


def _form_value(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")  # as written: no exponent, so <input type=number> takes it
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(getattr(value, "value", value))


def settings_values(settings: PoolSettings) -> dict[str, Any]:
    """A pool's settings as the settings form's values; terms it has not got show the defaults
    a new pool starts from, so adding them is a matter of filling in a rate."""
    values = _new_pool_values(date.today())
    values.update(
        {
            "name": settings.name,
            "kind": settings.kind.value,
            "base_currency": settings.base_currency,
            "inception_date": settings.inception_date.isoformat(),
            "initial_nav_per_unit": format(settings.initial_nav_per_unit, "f"),
            "minimum_subscription": format(settings.minimum_subscription, "f"),
            "management_fee.basis": "nav" if settings.kind is PoolKind.OPEN_ENDED else "committed",
        }
    )
    for name in ("management_fee", "performance_fee", "waterfall"):
        terms = getattr(settings, name)
        for key, value in (terms.model_dump() if terms is not None else {}).items():
            values[f"{name}.{key}"] = _form_value(value)
    return values


def create_pool_form(today: date) -> FormSpec:
    return FormSpec("create_pool", "Create a pool", _settings_fields(_new_pool_values(today)))


def pool_settings_form(pool: PoolOut, *, has_history: bool) -> FormSpec | None:
    """Edit every setting of the pool, prefilled with what it has now; None once it is
    liquidated (its settings are final)."""
    if pool.status is PoolStatus.LIQUIDATED:
        return None
    settings = settings_of(pool)
    fixed = FROZEN_ONCE_BOOKED if has_history else ()
    baseline = Field("baseline", "", "hidden", default=settings.model_dump_json())
    return FormSpec(
        "pool_settings",
        "Edit settings",
        [*_settings_fields(settings_values(settings), fixed=fixed), baseline],
        intro="Change what you need: the preview lists only the settings that change. New terms "
        "apply to what is booked from now on; entries already in the books do not move.",
    )


def pool_status_form(pool: PoolOut) -> FormSpec | None:
    """Close the pool to new money or start its liquidation; None when neither is left."""
    choices = _TRANSITIONS_FROM.get(pool.status, ())
    if not choices:
        return None
    return FormSpec(
        "pool_status",
        "Close or liquidate",
        [
            Field(
                "status",
                "Change the status to",
                "select",
                [(c, TRANSITIONS[c][0]) for c in choices],
                choices[0],
                required=True,
            )
        ],
        intro=f"The pool is {pool.status.value}. Preview to see what the change means before you confirm.",
    )


def kyc_form(actor: Actor) -> FormSpec:
    pending = first_investors(actor, KycStatus.PENDING)
    return FormSpec(
        "kyc",
        "KYC review",
        [
            _investor_field(pending, "Investors whose KYC is pending.", "Investor awaiting review"),
            Field(
                "kyc_status",
                "Decision",
                "select",
                [("approved", "Approve"), ("rejected", "Reject")],
                "approved",
                required=True,
            ),
        ],
        intro="Only approved investors may subscribe or commit."
        if pending
        else "No investor is awaiting review.",
    )


# -- the callback --------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What one press of Preview or Confirm shows."""

    errors: dict[str, str]
    panel: Component | None = None
    pending: dict[str, Any] | None = None
    result: Component | None = None
    done: Any = None


def preview_action(actor: Actor, action: str, pool_id: int | None, values: Mapping[str, Any]) -> Outcome:
    """Parse and preview: on success, a confirmation with a fresh idempotency key."""
    spec = ACTIONS[action]
    try:
        request = spec.parse(values)
        panel = spec.preview(actor, pool_id, request)
    except FormError as exc:
        return Outcome(exc.errors)
    except DomainError as exc:
        return Outcome(_not_permitted(exc) or spec.errors(exc))
    pending = {"key": str(uuid.uuid4()), "values": dict(values), "pool_id": pool_id}
    confirm = dbc.Alert(
        [panel, html.P("Check the effect above, then confirm to post it.", className="small mb-0")],
        color="light",
        className="border",
    )
    return Outcome({}, confirm, pending)


def confirm_action(actor: Actor, action: str, pending: Mapping[str, Any] | None) -> Outcome:
    """Post exactly what was previewed, with the key made for that preview."""
    if not pending:
        return Outcome({}, result=dbc.Alert("Preview the action first.", color="warning"))
    spec = ACTIONS[action]
    try:
        request = spec.parse(pending["values"])
        result = spec.post(actor, pending.get("pool_id"), request, str(pending["key"]))
    except FormError as exc:
        return Outcome(exc.errors)
    except DomainError as exc:
        errors = _not_permitted(exc) or spec.errors(exc)
        return Outcome(errors, result=dbc.Alert("Not posted: see the highlighted fields.", color="danger"))
    return Outcome({}, result=result, done=pending["key"])


def _not_permitted(exc: DomainError) -> dict[str, str] | None:
    if isinstance(exc, (PermissionDenied, NotFound)) and (exc.field in (None, "pool_id")):
        return {"form": NOT_PERMITTED}
    return None


def _act(  # noqa: PLR0917 - Dash passes inputs and states positionally
    preview_clicks: int | None,
    confirm_clicks: int | None,
    values: list[Any],
    ids: list[dict[str, str]],
    pending: dict[str, Any] | None,
    pool_id: int | None,
) -> tuple[Any, ...]:
    trigger = ctx.triggered_id
    if not isinstance(trigger, Mapping):
        raise PreventUpdate
    action = str(trigger.get("action"))
    if action not in ACTIONS:
        # The id comes from the browser: an action the portal never rendered is a bad request.
        raise BadRequest(f"no such action: {action}")
    names = [i["field"] for i in ids]
    actor = current_actor()
    if actor is None:
        raise PreventUpdate
    if trigger.get("type") == forms.CONFIRM:
        outcome = confirm_action(actor, action, pending)
        posted = outcome.done is not None
        return _render(
            names,
            outcome,
            panel=None if posted else no_update,
            pending=None if posted else no_update,
            disabled=posted or pending is None,
        )
    if trigger.get("type") == forms.FIELD and not preview_clicks:
        raise PreventUpdate  # typing before the first preview: nothing to recompute yet
    outcome = preview_action(actor, action, pool_id, dict(zip(names, values, strict=True)))
    return _render(
        names,
        outcome,
        panel=outcome.panel,
        pending=outcome.pending,
        disabled=outcome.pending is None,
        result=None,
    )


def _search_investors(search: str | None, selected: Any, pool_id: int | None) -> list[dict[str, str]]:
    trigger = ctx.triggered_id
    if not isinstance(trigger, Mapping) or not search:
        # An emptied search (the menu closed, or a choice was made) keeps the options shown:
        # they hold the choice, which the dropdown would clear if it vanished from them.
        raise PreventUpdate
    actor = current_actor()
    if actor is None:
        raise PreventUpdate
    return investor_options(actor, str(trigger["action"]), pool_id, search, selected)


def register_callbacks() -> None:
    """Register the action callbacks with the Dash app being built. Called by one page module
    (manager_pools), which Dash executes afresh for every app, so each app gets them once."""
    picker = {"type": forms.FIELD, "action": MATCH, "field": "investor_id"}
    callback(
        Output(picker, "options"),
        Input(picker, "search_value"),
        State(picker, "value"),
        State("pool-id", "data"),
        prevent_initial_call=True,
    )(_search_investors)
    callback(
        Output({"type": forms.ERROR, "action": MATCH, "field": ALL}, "children"),
        Output({"type": forms.FIELD, "action": MATCH, "field": ALL}, "invalid"),
        Output({"type": forms.PANEL, "action": MATCH}, "children"),
        Output({"type": forms.PENDING, "action": MATCH}, "data"),
        Output({"type": forms.RESULT, "action": MATCH}, "children"),
        Output({"type": forms.CONFIRM, "action": MATCH}, "disabled"),
        Output({"type": forms.DONE, "action": MATCH}, "data"),
        Input({"type": forms.PREVIEW, "action": MATCH}, "n_clicks"),
        Input({"type": forms.CONFIRM, "action": MATCH}, "n_clicks"),
        Input({"type": forms.FIELD, "action": MATCH, "field": ALL}, "value"),
        State({"type": forms.FIELD, "action": MATCH, "field": ALL}, "id"),
        State({"type": forms.PENDING, "action": MATCH}, "data"),
        State("pool-id", "data"),
        prevent_initial_call=True,
    )(_act)


def _render(
    names: list[str], outcome: Outcome, *, panel: Any, pending: Any, disabled: bool, result: Any = no_update
) -> tuple[Any, ...]:
    errors = dict(outcome.errors)
    shown = [errors.pop(n, None) for n in names]
    leftover = [
        dbc.Alert(f"{k}: {v}" if k != "form" else v, color="danger", className="py-2 mb-2")
        for k, v in errors.items()
    ]
    if leftover:
        panel = html.Div(leftover)
    return (
        shown,
        [bool(s) for s in shown],
        panel,
        pending,
        outcome.result if outcome.result is not None else result,
        disabled,
        outcome.done if outcome.done is not None else no_update,
    )
