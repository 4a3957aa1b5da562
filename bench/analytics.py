"""Benchmark: backend.finance.metrics vectorised analytics against quantstats.

Computes the linked (time-weighted) return, annualised volatility, Sharpe,
Sortino and maximum drawdown of many seeded random daily return series, once
with the ``*_many`` functions of backend.finance.metrics (one call per metric for all
series) and once with quantstats the way it is normally used (a loop over
pandas Series), then prints both timings, the speed-up and the largest absolute
difference per metric.

    python bench/analytics.py [--series 1000] [--years 10] [--seed 20240101]

quantstats is optional: ``pip install -r bench/requirements-bench.txt``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from backend.finance import metrics  # noqa: E402

TRADING_DAYS = 252
SPEED_TARGET = 50.0
"""The floor the vectorised metrics must keep over quantstats, all five together."""
DIFF_TARGET = 1e-9

FloatArray = npt.NDArray[np.float64]
METRIC_NAMES = ("twr (linked return)", "volatility", "sharpe", "sortino", "max drawdown")


def make_returns(series: int, years: int, seed: int) -> FloatArray:
    """Daily returns around 10% a year with 19% volatility, fat-tailed (Student t, 4 df)."""
    rng = np.random.default_rng(seed)
    shocks = rng.standard_t(df=4, size=(series, years * TRADING_DAYS)) / np.sqrt(2.0)
    returns: FloatArray = 0.0004 + 0.012 * shocks
    return returns


def run_reports_metrics(returns: FloatArray) -> tuple[dict[str, FloatArray], dict[str, float]]:
    calls: dict[str, Callable[[FloatArray], FloatArray]] = {
        "twr (linked return)": metrics.link_many,
        "volatility": lambda r: metrics.volatility_many(r, TRADING_DAYS),
        "sharpe": lambda r: metrics.sharpe_many(r, 0.0, TRADING_DAYS),
        "sortino": lambda r: metrics.sortino_many(r, 0.0, TRADING_DAYS),
        "max drawdown": metrics.max_drawdown_many,
    }
    results: dict[str, FloatArray] = {}
    timings: dict[str, float] = {}
    for name, call in calls.items():
        started = time.perf_counter()
        results[name] = call(returns)
        timings[name] = time.perf_counter() - started
    return results, timings


def run_quantstats(qs: ModuleType, returns: FloatArray) -> tuple[dict[str, FloatArray], dict[str, float]]:
    import pandas as pd

    index = pd.bdate_range("2010-01-04", periods=returns.shape[1])
    calls: dict[str, Callable[[pd.Series], float]] = {
        "twr (linked return)": qs.stats.comp,
        "volatility": lambda s: qs.stats.volatility(s, periods=TRADING_DAYS),
        "sharpe": lambda s: qs.stats.sharpe(s, rf=0.0, periods=TRADING_DAYS),
        "sortino": lambda s: qs.stats.sortino(s, rf=0.0, periods=TRADING_DAYS),
        "max drawdown": qs.stats.max_drawdown,
    }
    results: dict[str, FloatArray] = {name: np.empty(returns.shape[0]) for name in calls}
    timings = dict.fromkeys(calls, 0.0)
    for i, row in enumerate(returns):
        # Building the Series is part of using quantstats on a row of a matrix, so it is timed.
        started = time.perf_counter()
        series = pd.Series(row, index=index)
        timings["twr (linked return)"] += time.perf_counter() - started
        for name, call in calls.items():
            started = time.perf_counter()
            results[name][i] = float(call(series))
            timings[name] += time.perf_counter() - started
    return results, timings


def import_quantstats() -> ModuleType | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return importlib.import_module("quantstats")
    except ImportError:
        return None


def report(series: int, years: int, seed: int) -> int:
    returns = make_returns(series, years, seed)
    print(f"{series} series x {returns.shape[1]} daily observations ({years} years), seed {seed}")
    print(f"numpy {np.__version__}")

    # One untimed pass first, so that neither side is charged for lazy imports and
    # first-touch memory: ours over the whole matrix, whose temporaries are the matrix's
    # size (a first pass over a few rows left the first full-size temporary to fault its
    # pages in, timed: volatility 35 ms where sharpe, the same work after it, took 4);
    # quantstats over a few series, as it works on one series at a time.
    run_reports_metrics(returns)
    ours, our_times = run_reports_metrics(returns)
    our_total = sum(our_times.values())

    qs = import_quantstats()
    if qs is None:
        print("quantstats is not installed: run `pip install -r bench/requirements-bench.txt` to compare")
        print(f"{'metric':<22}{'ours s':>20}")
        for name in METRIC_NAMES:
            print(f"{name:<22}{our_times[name]:>20.4f}")
        print(f"{'total':<22}{our_total:>20.4f}")
        return 0

    import pandas as pd

    print(f"pandas {pd.__version__}, quantstats {getattr(qs, '__version__', '?')}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run_quantstats(qs, returns[:8])
        theirs, their_times = run_quantstats(qs, returns)
    their_total = sum(their_times.values())

    print(f"{'metric':<22}{'ours s':>20}{'quantstats s':>15}{'speed-up':>11}{'max |diff|':>13}")
    worst = 0.0
    for name in METRIC_NAMES:
        difference = float(np.max(np.abs(ours[name] - theirs[name])))
        worst = max(worst, difference)
        speed_up = their_times[name] / our_times[name]
        print(
            f"{name:<22}{our_times[name]:>20.4f}{their_times[name]:>15.3f}{speed_up:>10.0f}x{difference:>13.2e}"
        )
    ratio = their_total / our_total
    print(f"{'total':<22}{our_total:>20.4f}{their_total:>15.3f}{ratio:>10.0f}x{worst:>13.2e}")
    speed_ok, diff_ok = ratio >= SPEED_TARGET, worst < DIFF_TARGET
    print(f"speed-up {ratio:.0f}x (target >= {SPEED_TARGET:.0f}x): {'met' if speed_ok else 'NOT met'}")
    print(f"largest difference {worst:.2e} (target < {DIFF_TARGET:.0e}): {'met' if diff_ok else 'NOT met'}")
    return 0 if speed_ok and diff_ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--series", type=int, default=1000, help="number of return series (default 1000)")
    parser.add_argument("--years", type=int, default=10, help="years of 252 daily returns (default 10)")
    parser.add_argument("--seed", type=int, default=20240101, help="random seed (default 20240101)")
    args = parser.parse_args(argv)
    if args.series < 1 or args.years < 1:
        parser.error("--series and --years must be positive")
    return report(args.series, args.years, args.seed)


if __name__ == "__main__":
    sys.exit(main())
