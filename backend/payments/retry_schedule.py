"""When to ask the gateway again about an attempt it did not take: exponential backoff with
full jitter (a random wait up to the exponential bound), capped.

Two layers retry an outage. The gateway's SDK retries a failed call twice within the request
(its own short backoff with jitter, the same idempotency key). Past that, the payment stays
pending and this schedule spaces the sweep's retries: seconds apart at first, so an outage of
a minute is over within a minute or two of its end, then minutes apart, so a long outage is
not hammered; the jitter keeps many payments that failed together from retrying together.
Pure: the caller passes the random source.
"""

from __future__ import annotations

import random
from datetime import timedelta

from backend.platform.backoff import exponential_bound

BASE = timedelta(seconds=5)
CAP = timedelta(minutes=5)


def backoff_bound(tries: int) -> timedelta:
    """The longest wait after `tries` failures (1, 2, ...): BASE * 2**(tries-1), at most CAP."""
    return exponential_bound(tries, BASE, CAP)


def next_wait(tries: int, rng: random.Random) -> timedelta:
    """A wait drawn uniformly from [BASE / 2, the bound]: never zero, so a retry never spins."""
    bound = backoff_bound(tries).total_seconds()
    low = min(BASE.total_seconds() / 2, bound)
    return timedelta(seconds=rng.uniform(low, bound))
