"""Stripe's search query language, the part a payment service needs to find its own attempts:
`metadata['attempt']:'42'`, `status:'succeeded'`, `customer:'cus_..'`, `amount>1000`, `-field:value`,
clauses joined by AND or by OR (Stripe refuses a mix of both, and so do we).

Stripe's search index lags writes by up to a minute; `lag` seconds reproduce that, so a caller
that recovers by searching must also cope with not finding yet."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from backend.payments.sandbox.wire import ApiError, Obj

_CLAUSE = re.compile(
    r"""\s*(?P<neg>-)?(?:metadata\[(?P<q>['"])(?P<key>[^'"]+)(?P=q)\]|(?P<field>[a-z_]+))\s*"""
    r"""(?P<op>:|>=|<=|>|<)\s*(?:'(?P<s1>[^']*)'|"(?P<s2>[^"]*)"|(?P<num>-?\d+))\s*"""
)
_JOIN = re.compile(r"(AND|OR)\s+")
_NUMERIC = frozenset({"amount", "created"})
_FIELDS = frozenset({"status", "customer", "currency", "amount", "created", "description"})

Predicate = Callable[[Obj], bool]


def parse(query: str) -> Predicate:
    """A predicate for `query`, or a 400 naming the `query` parameter."""
    clauses: list[Predicate] = []
    joins: set[str] = set()
    position = 0
    while True:
        match = _CLAUSE.match(query, position)
        if match is None:
            raise _bad(query)
        clauses.append(_predicate(match))
        position = match.end()
        if position == len(query):
            break
        # A clause swallows the blanks after it, so a join starts right where it ended.
        join = _JOIN.match(query, position)
        if join is None or not query[position - 1].isspace():
            raise _bad(query)
        joins.add(join.group(1))
        position = join.end()
    if len(joins) > 1:
        raise ApiError.invalid("Search queries cannot mix AND and OR.", param="query")
    if joins == {"OR"}:
        return lambda obj: any(clause(obj) for clause in clauses)
    return lambda obj: all(clause(obj) for clause in clauses)


def _predicate(match: re.Match[str]) -> Predicate:
    key, field, op = match["key"], match["field"], match["op"]
    value = next(v for v in (match["s1"], match["s2"], match["num"], "") if v is not None)
    negate = match["neg"] is not None
    if field is not None and field not in _FIELDS:
        raise ApiError.invalid(f"Field '{field}' is an unsupported search field.", param="query")
    if op != ":" and field not in _NUMERIC:
        raise ApiError.invalid(f"Comparison {op} needs a numeric field.", param="query")

    def read(obj: Obj) -> Any:
        return obj.get("metadata", {}).get(key) if key is not None else obj.get(field or "")

    def test(obj: Obj) -> bool:
        actual = read(obj)
        if op == ":":
            return actual is not None and str(actual) == value
        number = int(value)
        return isinstance(actual, int) and {
            ">": actual > number, "<": actual < number, ">=": actual >= number, "<=": actual <= number,
        }[op]

    return (lambda obj: not test(obj)) if negate else test


def _bad(query: str) -> ApiError:
    return ApiError.invalid(f"Invalid search query: {query[:200]}", param="query")
