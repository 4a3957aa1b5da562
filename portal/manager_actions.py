"""The manager's actions: forms, their confirmation step, and the one callback behind them all.

Each action is parsed into the service's own request type, previewed (the same rule the write
runs, over the current books, writing nothing), and posted only when the manager confirms
the preview. The idempotency key is made when the confirmation is shown and travels with it,
so a double click on "Confirm" posts once. Every call acts as the signed-in user: the
service decides whether this manager may touch this pool.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import dash_bootstrap_components as dbc
from dash import ALL, MATCH, Input, Output, State, callback, ctx, dcc, html, no_update
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate
from pydantic import BaseModel, ValidationError

from backend.actors import Actor
from backend.errors import DomainError
from backend.investors.schemas import CommitmentCreate, InvestorUpdate, KycStatus
from backend.pools.schemas import PoolCreate
from ledger.fees import AccrualFrequency
from ledger.previews import Preview
from ledger.schemas import (
    CapitalCallRequest,
    DistributionRequest,
    ReversalRequest,
    TransactionRequest,
    ValuationRequest,
)
from ledger.waterfall import Compounding
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


def _names(actor: Actor) -> dict[int, str]:
    return {i.id: i.legal_name for i in investor_choices(actor)}


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
    if preview.entry_type is None:
        return dbc.Alert("The books already show this value: nothing will be posted.", color="info")
    rows = [
        ("Previous NAV", money(d["previous_net_asset_value"], c)),
        ("New NAV", money(d["net_asset_value"], c)),
        ("Change", money(d["change"], c)),
        ("NAV per unit after", number(d.get("nav_per_unit"), 6) if d.get("nav_per_unit") else DASH),
    ]
    return html.Div([html.H3("Effect", className="h6"), _table(("", "Amount"), rows, "effect-valuation")])


def _post_valuation(actor: Actor, pool_id: int | None, request: ValuationRequest, key: str) -> Any:
    out = services().transactions.record_valuation(actor, _need_pool(pool_id), request, key)
    if out.entry is None:
        return _posted("Valuation recorded; the books already showed this value.")
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
    return deal_effect(preview, _names(actor))


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
    return allocation_effect(preview, _names(actor), "Called from each investor")


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
    return distribution_effect(preview, _names(actor))


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
    name = _names(actor).get(request.investor_id, f"investor {request.investor_id}")
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


# create pool -------------------------------------------------------------------------------------


def _flag(value: Any) -> bool:
    return str(value).lower() in {"true", "1", "yes", "on"}


def pool_create_request(v: Mapping[str, Any]) -> PoolCreate:
    """The create-pool form as the pool service's PoolCreate (empty fee fields: no such fee)."""
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
    parsed: PoolCreate = _parse(PoolCreate, data)
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
    if request.management_fee:
        m = request.management_fee
        rows.append(("Management fee", f"{m.rate * 100:.2f}% p.a. on {m.basis.value}, {m.frequency.value}"))
    if request.performance_fee:
        p = request.performance_fee
        hwm = "with" if p.high_water_mark else "without"
        rows.append(
            (
                "Performance fee",
                f"{p.rate * 100:.2f}% {hwm} high-water mark, hurdle {p.hurdle_rate * 100:.2f}%",
            )
        )
    if request.waterfall:
        w = request.waterfall
        rows.append(
            (
                "Waterfall",
                f"pref {w.preferred_return_rate * 100:.2f}% ({w.compounding.value}), catch-up "
                f"{w.catch_up_rate * 100:.0f}%, carry {w.carried_interest_rate * 100:.2f}%",
            )
        )
    return html.Div(
        [html.H3("The pool to create", className="h6"), _table(("Setting", "Value"), rows, "effect-pool")]
    )


def _post_pool(actor: Actor, pool_id: int | None, request: PoolCreate, key: str) -> Any:
    pool = services().pools.create_pool(actor, request)
    link = dcc.Link(f"Open {pool.name}", href=f"/manager/pools/{pool.id}", id="new-pool-link")
    return _posted(f"Pool {pool.name} (#{pool.id}) created.", link)


ACTIONS: dict[str, Action] = {
    "create_pool": Action("create_pool", pool_create_request, _preview_pool, _post_pool),
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


# -- the forms ---------------------------------------------------------------------------------


def investor_choices(actor: Actor, status: KycStatus | None = None) -> list[Any]:
    out: list[Any] = []
    cursor: int | None = None
    while True:
        page = services().investors.list_investors(actor, kyc_status=status, cursor=cursor, limit=200)
        out += page.items
        if page.next_cursor is None or len(out) >= 2000:
            return out
        cursor = page.next_cursor


def _options(investors: Sequence[Any]) -> list[tuple[str, str]]:
    return [(str(i.id), f"{i.legal_name} (#{i.id})") for i in investors]


def pool_forms(
    actor: Actor, kind: str, today: date, holders: Sequence[tuple[str, str]] | None = None
) -> list[FormSpec]:
    """The forms for one pool, by its kind. `holders` (value, label) are the investors who hold
    units in the pool: the only ones a redemption can name (every investor when not given)."""
    approved = _options(investor_choices(actor, KycStatus.APPROVED))
    every = (
        list(holders)
        if holders is not None
        else (_options(investor_choices(actor)) if kind == "open_ended" else [])
    )
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
                    Field(
                        "investor_id",
                        "Investor",
                        "select",
                        approved,
                        required=True,
                        help="KYC-approved investors.",
                    ),
                    Field("amount", "Amount", "number", required=True),
                    Field("effective_date", "Dealing date", "date", default=day, required=True),
                    memo,
                ],
            ),
            FormSpec(
                "redemption",
                "Redemption",
                [
                    Field("investor_id", "Investor", "select", every, required=True),
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
                    Field("investor_id", "Investor", "select", approved, required=True),
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


def create_pool_form(today: date) -> FormSpec:
    return FormSpec(
        "create_pool",
        "Create a pool",
        [
            Field("name", "Name", required=True),
            Field(
                "kind",
                "Kind",
                "select",
                [("open_ended", "Open-ended"), ("closed_ended", "Closed-ended")],
                "open_ended",
                required=True,
            ),
            Field(
                "base_currency",
                "Currency",
                "select",
                [(c, c) for c in CURRENCY_CHOICES],
                "USD",
                required=True,
            ),
            Field("inception_date", "Inception date", "date", default=today.isoformat(), required=True),
            Field(
                "initial_nav_per_unit",
                "Launch NAV per unit",
                "number",
                default="1.000000",
                help="Open-ended.",
            ),
            Field("minimum_subscription", "Minimum subscription", "number", default="0"),
            Field(
                "management_fee.rate",
                "Management fee rate",
                "number",
                help="Fraction p.a.: 0.02 is 2%. Empty: none.",
            ),
            Field(
                "management_fee.basis",
                "Fee basis",
                "select",
                [("nav", "NAV"), ("committed", "Committed"), ("invested", "Invested")],
                "nav",
            ),
            Field(
                "management_fee.frequency",
                "Fee frequency",
                "select",
                [(f.value, f.value) for f in AccrualFrequency],
                "quarterly",
            ),
            Field(
                "performance_fee.rate",
                "Performance fee rate",
                "number",
                help="Open-ended: e.g. 0.2. Empty: none.",
            ),
            Field("performance_fee.high_water_mark", "High-water mark", "select", YES_NO, "true"),
            Field("performance_fee.hurdle_rate", "Hurdle rate", "number", default="0"),
            Field(
                "waterfall.preferred_return_rate",
                "Preferred return",
                "number",
                default="0.08",
                help="Closed-ended.",
            ),
            Field("waterfall.catch_up_rate", "GP catch-up", "number", default="1"),
            Field("waterfall.carried_interest_rate", "Carried interest", "number", default="0.2"),
            Field(
                "waterfall.compounding",
                "Compounding",
                "select",
                [(c.value, c.value) for c in Compounding],
                "annual",
            ),
        ],
    )


def kyc_form(actor: Actor) -> FormSpec:
    pending = _options(investor_choices(actor, KycStatus.PENDING))
    return FormSpec(
        "kyc",
        "KYC review",
        [
            Field("investor_id", "Investor awaiting review", "select", pending, required=True),
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
    if exc.status in (403, 404) and (exc.field in (None, "pool_id")):
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
    names = [i["field"] for i in ids]
    actor = current_actor()
    if actor is None:
        raise PreventUpdate
    if trigger.get("type") == forms.CONFIRM:
        outcome = confirm_action(actor, str(trigger["action"]), pending)
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
    outcome = preview_action(actor, str(trigger["action"]), pool_id, dict(zip(names, values, strict=True)))
    return _render(
        names,
        outcome,
        panel=outcome.panel,
        pending=outcome.pending,
        disabled=outcome.pending is None,
        result=None,
    )


def register_callbacks() -> None:
    """Register the action callback with the Dash app being built. Called by one page module
    (manager_pools), which Dash executes afresh for every app, so each app gets it once."""
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
