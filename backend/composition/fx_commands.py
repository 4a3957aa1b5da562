"""`python app.py fx ...`: load the ECB's FX reference rates, show the rates in force.

    python app.py fx load FILE.csv [--as EMAIL]   eurofxref-hist.csv or eurofxref.csv, all or nothing
    python app.py fx show [--date YYYY-MM-DD]     each currency's rate in force (default today)

The command acts as the operator (an admin) unless --as names a user; loading is an admin's
(shared reference data), so --as a manager is refused by the report service, not here.
"""

from __future__ import annotations

import argparse
import getpass
from datetime import date
from pathlib import Path
from typing import Any

from backend.composition.container import Container
from backend.platform.actors import Actor
from backend.platform.config import Settings
from backend.platform.errors import ValidationFailed


def add_fx_parser(sub: Any) -> None:
    """The `fx` command and its two verbs, on app.py's subparsers."""
    fx = sub.add_parser("fx", help="FX reference rates (units per 1 EUR, ECB style)")
    fx_sub = fx.add_subparsers(dest="fx_command", required=True)
    load = fx_sub.add_parser("load", help="load the ECB's CSV (eurofxref-hist.csv or eurofxref.csv)")
    load.add_argument("file", help="a .csv file with the header Date,USD,JPY,...")
    load.add_argument("--as", dest="as_email", help="act as this admin (default: the operator)")
    show = fx_sub.add_parser("show", help="each currency's rate in force on a date")
    show.add_argument("--date", type=date.fromisoformat, metavar="YYYY-MM-DD", help="default: today")
    fx.set_defaults(func=cmd_fx)


def cmd_fx(args: argparse.Namespace, settings: Settings) -> int:
    container = Container(settings)
    actor = Actor.operator(getpass.getuser())
    if args.fx_command == "load":
        if args.as_email:
            user = container.users.find_by_email(actor, args.as_email)
            actor = Actor(user_id=user.id, role=user.role, label=user.email)
        try:
            # utf-8-sig: a byte-order mark (a spreadsheet's export) is not part of the header.
            text = Path(args.file).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise ValidationFailed(f"file: cannot read {args.file}: {exc}", field="file") from None
        loaded = container.reports.load_fx_rates(actor, text)
        print(
            f"loaded FX rates {loaded.first_date} to {loaded.last_date}: {loaded.new} new, "
            f"{loaded.replaced} replaced, {loaded.unchanged} unchanged"
        )
        if loaded.ignored_currencies:
            print(f"ignored (not platform currencies): {', '.join(loaded.ignored_currencies)}")
        return 0
    on = args.date
    rates = container.reports.fx_rates_in_force(actor, on)
    print(f"FX rates in force on {on or 'today'} (units per 1 EUR; rate date in brackets)")
    for rate in rates:
        print(f"{rate.currency}\t{rate.rate}\t({rate.date})")
    if not rates:
        print("none: no rate published in the 7 days up to that date")
    return 0
