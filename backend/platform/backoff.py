"""Exponential backoff: how long the longest wait may be after some failures. Shared by every
retry the platform schedules itself (the payment gateway's attempts, the email outbox); each
caller draws its own jittered wait below the bound. Pure."""

from __future__ import annotations

from datetime import timedelta


def exponential_bound(tries: int, base: timedelta, cap: timedelta) -> timedelta:
    """base * 2**(tries - 1) after `tries` failures (1, 2, ...), at most `cap`."""
    # 2**16 times any sensible base is far past any sensible cap: no huge integers.
    return min(cap, base * (1 << min(max(tries - 1, 0), 16)))
