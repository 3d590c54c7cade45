"""A statement's Condition evaluated against what is known of the request, with IAM's
semantics (IAM User Guide, "IAM JSON policy elements: Condition operators" and "Single-valued
vs. multivalued context keys"): every operator in a block and every key under an operator must
hold; several values for one key are ORed; a key missing from the request makes a condition
false, except for negated operators (`…Not…`, `NotIpAddress`), which are then true, `…IfExists`
(true), `Null` (which tests exactly that) and `ForAllValues:` (true for a missing key or an
empty set). The answer is True, False, or None: it depends on a value that is not known."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from cognito_doctor.iam.context import RequestContext, pieces_regex, resolve, split_arn

Tri = bool | None  # None: it depends on a value that is not known
Match = Callable[[str, str, RequestContext, bool], Tri]


def _string(value: str, pattern: str, context: RequestContext, variables: bool) -> Tri:
    pieces, unknown = resolve(pattern, context, variables=variables)
    if unknown:
        return None
    return "".join(p.text for p in pieces) == value if pieces else False


def _string_ic(value: str, pattern: str, context: RequestContext, variables: bool) -> Tri:
    pieces, unknown = resolve(pattern, context, variables=variables)
    if unknown:
        return None
    return "".join(p.text for p in pieces).lower() == value.lower() if pieces else False


def _like(value: str, pattern: str, context: RequestContext, variables: bool) -> Tri:
    pieces, unknown = resolve(pattern, context, variables=variables)
    if unknown:
        return None
    return bool(pieces) and re.fullmatch(pieces_regex(pieces), value, re.DOTALL) is not None


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _date(text: str) -> datetime | None:
    number = _number(text)
    if number is not None:
        return datetime.fromtimestamp(number, UTC)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _compare(parse: Callable[[str], Any], test: Callable[[Any, Any], bool]) -> Match:
    def match(value: str, pattern: str, context: RequestContext, variables: bool) -> Tri:
        left, right = parse(value), parse(pattern)
        return left is not None and right is not None and bool(test(left, right))

    return match


def _bool(value: str, pattern: str, context: RequestContext, variables: bool) -> Tri:
    return value.lower() == pattern.lower()


def _ip(value: str, pattern: str, context: RequestContext, variables: bool) -> Tri:
    try:
        return ipaddress.ip_address(value) in ipaddress.ip_network(pattern, strict=False)
    except ValueError:
        return False


def _arn_like(value: str, pattern: str, context: RequestContext, variables: bool) -> Tri:
    wanted = split_arn(value, pad=False)
    if len(wanted) != 6:
        return False
    parts = split_arn(pattern, pad=False)
    if len(parts) != 6:
        return False
    for got, part in zip(wanted, parts, strict=True):
        pieces, unknown = resolve(part, context, variables=variables)
        if unknown:
            return None
        if re.fullmatch(pieces_regex(pieces), got, re.DOTALL) is None:
            return False
    return True


_LT, _LE = (lambda a, b: a < b), (lambda a, b: a <= b)
_GT, _GE = (lambda a, b: a > b), (lambda a, b: a >= b)
_EQ = lambda a, b: a == b  # noqa: E731

# Operator → (match of one request value against one policy value, negated).
OPERATORS: Mapping[str, tuple[Match, bool]] = {
    "StringEquals": (_string, False),
    "StringNotEquals": (_string, True),
    "StringEqualsIgnoreCase": (_string_ic, False),
    "StringNotEqualsIgnoreCase": (_string_ic, True),
    "StringLike": (_like, False),
    "StringNotLike": (_like, True),
    "NumericEquals": (_compare(_number, _EQ), False),
    "NumericNotEquals": (_compare(_number, _EQ), True),
    "NumericLessThan": (_compare(_number, _LT), False),
    "NumericLessThanEquals": (_compare(_number, _LE), False),
    "NumericGreaterThan": (_compare(_number, _GT), False),
    "NumericGreaterThanEquals": (_compare(_number, _GE), False),
    "DateEquals": (_compare(_date, _EQ), False),
    "DateNotEquals": (_compare(_date, _EQ), True),
    "DateLessThan": (_compare(_date, _LT), False),
    "DateLessThanEquals": (_compare(_date, _LE), False),
    "DateGreaterThan": (_compare(_date, _GT), False),
    "DateGreaterThanEquals": (_compare(_date, _GE), False),
    "Bool": (_bool, False),
    "BinaryEquals": (_string, False),
    "IpAddress": (_ip, False),
    "NotIpAddress": (_ip, True),
    "ArnEquals": (_arn_like, False),
    "ArnLike": (_arn_like, False),
    "ArnNotEquals": (_arn_like, True),
    "ArnNotLike": (_arn_like, True),
}
SET_QUALIFIERS = ("ForAllValues:", "ForAnyValue:")


def split_operator(name: str) -> tuple[str | None, str, bool] | None:
    """(set qualifier, base operator, IfExists) for an operator name; None if IAM has none."""
    qualifier = next((q for q in SET_QUALIFIERS if name.startswith(q)), None)
    rest = name[len(qualifier) :] if qualifier else name
    if rest == "Null":
        return (qualifier, rest, False) if qualifier is None else None
    if_exists = rest.endswith("IfExists")
    base = rest[: -len("IfExists")] if if_exists else rest
    return (qualifier, base, if_exists) if base in OPERATORS else None


def _any(results: list[Tri]) -> Tri:
    if any(r is True for r in results):
        return True
    return None if any(r is None for r in results) else False


def _all(results: list[Tri]) -> Tri:
    if any(r is False for r in results):
        return False
    return None if any(r is None for r in results) else True


def _one_value(match: Match, negated: bool, value: str, patterns: list[str], ctx: Any) -> Tri:
    """One request value against the policy's values: any matches (negated: none does)."""
    context, variables = ctx
    hit = _any([match(value, p, context, variables) for p in patterns])
    return None if hit is None else (not hit if negated else hit)


def _present_always(base: str, negated: bool, patterns: list[str]) -> Tri:
    """What a condition on a present key with an unknown value is whatever the value: a
    `*` pattern of a Like operator matches every string."""
    if base in ("StringLike", "StringNotLike") and "*" in patterns:
        return not negated
    return None


def evaluate_operator(
    name: str, key: str, raw: Any, context: RequestContext, *, variables: bool
) -> Tri:
    """One operator on one key (the policy's value or values `raw`)."""
    parsed = split_operator(name)
    if parsed is None:
        return False
    qualifier, base, if_exists = parsed
    patterns = [_text(v) for v in (raw if isinstance(raw, list) else [raw])]
    found = context.lookup(key)
    if base == "Null":
        if found is None:
            return None
        return _any([(p.lower() == "true") == (found is False) for p in patterns])
    match, negated = OPERATORS[base]
    absent_result = True if (if_exists or qualifier == "ForAllValues:") else negated
    if qualifier == "ForAnyValue:":
        absent_result = False
    if found is False or found is True:
        return absent_result
    if found is None:
        return absent_result if _present_always(base, negated, patterns) == absent_result else None
    ctx = (context, variables)
    results = [_one_value(match, negated, v, patterns, ctx) for v in found]
    if qualifier == "ForAllValues:":
        return _all(results)
    return _any(results)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def evaluate_condition(
    condition: Mapping[str, Any], context: RequestContext, *, variables: bool
) -> tuple[Tri, tuple[str, ...], tuple[str, ...]]:
    """(result, keys whose unknown values leave it open, keys that make it false)."""
    results: list[Tri] = []
    unknown: list[str] = []
    failing: list[str] = []
    for operator, block in condition.items():
        for key, raw in block.items():
            result = evaluate_operator(operator, key, raw, context, variables=variables)
            results.append(result)
            if result is None:
                unknown.append(key)
            elif result is False:
                failing.append(key)
    return _all(results), tuple(dict.fromkeys(unknown)), tuple(dict.fromkeys(failing))
