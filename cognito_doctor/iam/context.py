"""What is known about the service's own requests to Cognito: the request context a
condition is evaluated against, and the policy variables substituted into a Resource or a
condition value.

A key is either known present (with its values), known absent, or unknown. IAM's documented
facts about the keys the doctor fills in (IAM User Guide, "AWS global condition context keys"):
`aws:SecureTransport` is true for HTTPS requests (the AWS SDK only speaks HTTPS to Cognito);
`aws:RequestedRegion` is the Region the request is sent to (the pool's); `aws:CurrentTime` is
the request's date and time; `aws:MultiFactorAuthPresent` is not in the request context of
calls signed with long-term access keys; `aws:username` exists for IAM users only;
`aws:PrincipalArn`, `aws:PrincipalType` (`User`, `AssumedRole`) and `aws:PrincipalTag/…` come
from the principal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

TAG_PREFIX = "aws:principaltag/"


@dataclass(frozen=True)
class RequestContext:
    """The request context as far as it is known (keys lowercase: IAM's keys are
    case-insensitive)."""

    values: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    absent: frozenset[str] = frozenset()
    # Key prefixes whose every key is known: a key under one that is not in `values` is absent.
    complete_prefixes: frozenset[str] = frozenset()

    def lookup(self, key: str) -> tuple[str, ...] | bool | None:
        """The key's values; False when known absent; None when unknown."""
        lowered = key.lower()
        if lowered in self.values:
            return self.values[lowered]
        if lowered in self.absent or any(lowered.startswith(p) for p in self.complete_prefixes):
            return False
        return None


def service_context(
    *,
    region: str,
    principal_kind: str | None = None,
    principal_name: str | None = None,
    principal_arn: str | None = None,
    tags: Mapping[str, str] | None = None,
    long_term_keys: bool = False,
    now: datetime | None = None,
) -> RequestContext:
    """The request context of the service's own calls to Cognito in `region`."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    values: dict[str, tuple[str, ...]] = {
        "aws:securetransport": ("true",),
        "aws:requestedregion": (region,),
        "aws:currenttime": (moment.strftime("%Y-%m-%dT%H:%M:%SZ"),),
    }
    absent: set[str] = set()
    if long_term_keys or principal_kind == "user":
        absent.add("aws:multifactorauthpresent")
    if principal_arn:
        values["aws:principalarn"] = (principal_arn,)
    if principal_kind == "user":
        values["aws:principaltype"] = ("User",)
        if principal_name:
            values["aws:username"] = (principal_name,)
    elif principal_kind == "role":
        values["aws:principaltype"] = ("AssumedRole",)
        absent.add("aws:username")
    prefixes: set[str] = set()
    if tags is not None:
        prefixes.add(TAG_PREFIX)
        for key, value in tags.items():
            values[TAG_PREFIX + key.lower()] = (value,)
    return RequestContext(values, frozenset(absent), frozenset(prefixes))


# `${key}` or `${key, 'default'}`; `${*}`, `${?}`, `${$}` are IAM's escapes for the characters.
VARIABLE = re.compile(r"\$\{([^{}]*)\}")
# Greedy and possessive, not lazy: a lazy key before `\s*` rescans every run of spaces once
# per character (quadratic on a long one); this scans each character a bounded number of times.
_DEFAULT = re.compile(r"^\s*+([^,]*[^,\s])\s*+,\s*+'([^']*)'\s*$")
ESCAPES = {"*": "*", "?": "?", "$": "$"}


@dataclass(frozen=True)
class Piece:
    """A run of a resolved pattern: literal text, or a pattern with `*`/`?` wildcards."""

    text: str
    literal: bool


def resolve(
    text: str, context: RequestContext, *, variables: bool
) -> tuple[tuple[Piece, ...], tuple[str, ...]]:
    """`text` with its policy variables substituted: (pieces, unknown keys). Without
    `variables` (a 2008-10-17 policy) `${…}` is plain text. The pieces are empty when a
    variable's value is unknown."""
    if not variables:
        return (Piece(text, False),), ()
    pieces: list[Piece] = []
    unknown: list[str] = []
    position = 0
    for match in VARIABLE.finditer(text):
        if match.start() > position:
            pieces.append(Piece(text[position : match.start()], False))
        position = match.end()
        inner = match.group(1)
        if inner in ESCAPES:
            pieces.append(Piece(ESCAPES[inner], True))
            continue
        default = _DEFAULT.match(inner)
        key = default.group(1) if default else inner.strip()
        found = context.lookup(key)
        if isinstance(found, tuple) and len(found) == 1:
            pieces.append(Piece(found[0], True))
        elif found is False and default:
            pieces.append(Piece(default.group(2), True))
        elif found is None or isinstance(found, tuple):
            unknown.append(key)
        # A variable for an absent key (no default) resolves to nothing that can match.
        else:
            return (), ()
    if position < len(text):
        pieces.append(Piece(text[position:], False))
    if unknown:
        return (), tuple(dict.fromkeys(unknown))
    return tuple(pieces), ()


def pieces_regex(pieces: Iterable[Piece], *, wildcards: bool = True) -> str:
    """A regular expression for resolved pieces (`*` any run, `?` one character)."""
    out: list[str] = []
    for piece in pieces:
        if piece.literal or not wildcards:
            out.append(re.escape(piece.text))
            continue
        out.extend(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in piece.text)
    return "".join(out)


def split_arn(text: str, *, pad: bool = True) -> list[str]:
    """An ARN (or ARN pattern) split into at most six parts at the colons outside `${…}`; with
    `pad`, a short pattern is padded with `*` the way IAM expands it."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    index = 0
    while index < len(text):
        char = text[index]
        if text.startswith("${", index):
            depth += 1
            current.append("${")
            index += 2
            continue
        if char == "}" and depth:
            depth -= 1
        if char == ":" and not depth and len(parts) < 5:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        index += 1
    parts.append("".join(current))
    while pad and len(parts) < 6:
        parts.append("*")
    return parts
