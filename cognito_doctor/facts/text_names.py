"""What AWS says of the ids an error text names (for `triage`): does a user pool exist, is an
app client a client of a pool. Read-only calls, made with the operator's credentials through
`ctx.aws`, like pool_lookup and client_lookup.

AWS behaviour relied on (botocore's model of cognito-idp 2016-04-18, and the API reference):
DescribeUserPool and DescribeUserPoolClient list ResourceNotFoundException, "thrown when the
Amazon Cognito service can't find the requested resource", among their errors; that code is
the only answer taken as "it doesn't exist". Every other failure (AccessDeniedException for a
missing IAM permission, TooManyRequestsException, NotAuthorizedException, a timeout, no
network) is "couldn't check": it says nothing about the id.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from cognito_doctor.aws.failure import AwsError
from cognito_doctor.facts.context import CheckContext
from cognito_doctor.platform.regions import is_region, pool_id_region

NOT_FOUND = "ResourceNotFoundException"


class Existence(StrEnum):
    """AWS's answer about one id."""

    EXISTS = "exists"
    MISSING = "missing"
    UNKNOWN = "unknown"  # no answer that tells


@dataclass(frozen=True)
class NameLookup:
    """One id looked up: AWS's answer, and why it tells nothing when it doesn't."""

    answer: Existence
    problem: str | None = None


def _unknown(exc: AwsError, action: str) -> NameLookup:
    message, _ = exc.explain(action=action)
    return NameLookup(Existence.UNKNOWN, message)


def named_pool(ctx: CheckContext, pool_id: str) -> NameLookup:
    """DescribeUserPool for `pool_id`, in the region its id names."""
    region = pool_id_region(pool_id) or pool_id
    if not is_region(region):
        return NameLookup(Existence.UNKNOWN, f"{region} is not a region AWS has")
    try:
        ctx.aws.operator("cognito-idp", region).describe_user_pool(UserPoolId=pool_id)
    except AwsError as exc:
        if exc.code == NOT_FOUND:
            return NameLookup(Existence.MISSING)
        return _unknown(exc, "cognito-idp:DescribeUserPool")
    return NameLookup(Existence.EXISTS)


def named_client(ctx: CheckContext, pool_id: str, region: str, client_id: str) -> NameLookup:
    """DescribeUserPoolClient for `client_id` in pool `pool_id` (which must exist: the same
    ResourceNotFoundException answers for a pool that doesn't)."""
    try:
        ctx.aws.operator("cognito-idp", region).describe_user_pool_client(
            UserPoolId=pool_id, ClientId=client_id
        )
    except AwsError as exc:
        if exc.code == NOT_FOUND:
            return NameLookup(Existence.MISSING)
        return _unknown(exc, "cognito-idp:DescribeUserPoolClient")
    return NameLookup(Existence.EXISTS)
