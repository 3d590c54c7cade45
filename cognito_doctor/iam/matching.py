"""IAM's matching of a statement's Action and Resource entries: `*`/`?` wildcards, actions
case-insensitively, ARNs part by part (partition, service, region, account, resource; a short
pattern padded with `*`), policy variables resolved first."""

from __future__ import annotations

import re

from cognito_doctor.iam.conditions import Tri
from cognito_doctor.iam.context import RequestContext, pieces_regex, resolve, split_arn

NO_CONTEXT = RequestContext()


def action_matches(pattern: str, action: str) -> bool:
    """IAM's action matching: `*`/`?` wildcards, case-insensitive."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, action, re.IGNORECASE | re.DOTALL) is not None


def resource_matches(
    pattern: str, resource: str, context: RequestContext = NO_CONTEXT, *, variables: bool = True
) -> Tri:
    """Whether a Resource entry covers `resource`, part by part of the ARN (a short pattern is
    padded with `*`); None when a policy variable in it has no known value."""
    if pattern == "*":
        return True
    wanted = split_arn(resource, pad=False)
    parts = split_arn(pattern)
    if len(wanted) != 6:
        return False
    open_parts = False
    for got, part in zip(wanted, parts, strict=True):
        pieces, unknown = resolve(part, context, variables=variables)
        if unknown:
            open_parts = True
            continue
        if not pieces or re.fullmatch(pieces_regex(pieces), got, re.DOTALL) is None:
            return False
    return None if open_parts else True
