"""What the AWS facts found, as data: the values the checks read (no AWS code here)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from email.utils import parseaddr
from enum import StrEnum
from typing import Any, assert_never

from cognito_doctor.engine.model import Cause
from cognito_doctor.engine.redact import remember
from cognito_doctor.platform.target import PoolRef


@dataclass(frozen=True)
class PoolLookup:
    """DescribeUserPool's answer, or, when the pool wasn't found, the pools that do exist."""

    ref: PoolRef
    pool: dict[str, Any] | None
    other_pools: tuple[dict[str, Any], ...] = ()
    list_problem: str | None = None


@dataclass(frozen=True)
class ClientLookup:
    """DescribeUserPoolClient's answer, or, when not found, the pool's clients."""

    ref: PoolRef
    client: dict[str, Any] | None
    other_clients: tuple[dict[str, Any], ...] = ()
    list_problem: str | None = None

    def __post_init__(self) -> None:
        # The client secret the tool fetched is known to the redactor from the moment it is.
        remember(*self.secret_values())

    def secret_values(self) -> Iterator[str]:
        if self.client and self.client.get("ClientSecret"):
            yield str(self.client["ClientSecret"])


class FetchProblem(StrEnum):
    """What went wrong fetching a document over HTTPS, as data for the checks to judge."""

    UNREACHABLE = "unreachable"  # no answer, or one that says "try later" (5xx, 408, 429)
    NOT_SERVED = "not-served"  # an answer: nothing is served at that URL (any other 4xx)
    BAD_CONTENT = "bad-content"  # an answer, but not a usable document (not JSON, no jwks_uri)

    @property
    def could_not_verify(self) -> bool:
        """Whether the problem leaves the document unverified (an error, not a fail)."""
        match self:
            case FetchProblem.UNREACHABLE:
                return True
            case FetchProblem.NOT_SERVED | FetchProblem.BAD_CONTENT:
                return False
            case unreachable:
                assert_never(unreachable)


@dataclass(frozen=True)
class Discovery:
    """The pool's OIDC discovery document and its JWKS, or what went wrong fetching them
    (in words, `problem` and `jwks_problem`, and as data, their kinds)."""

    url: str
    document: dict[str, Any] | None
    problem: str | None
    jwks: dict[str, Any] | None = None
    jwks_problem: str | None = None
    # The kind (an ErrorKind value) of a document fetch that got no answer at all.
    no_answer: str | None = None
    problem_kind: FetchProblem | None = None
    jwks_problem_kind: FetchProblem | None = None


@dataclass(frozen=True)
class IdentityLookup:
    """sts:GetCallerIdentity with the service's keys: the identity, or the AWS error code."""

    key_hint: str
    identity: dict[str, str] | None
    error_code: str | None = None
    error_message: str | None = None
    # (message, fix) when the call got no AWS answer at all (network, endpoint, throttling).
    failure: tuple[str, str] | None = None
    # The cause of that failure, shared with the run's other AWS failures of the same kind.
    failure_cause: Cause | None = None


@dataclass(frozen=True)
class SesSending:
    """How a DEVELOPER pool sends email: the SES identity it sends as, and where.

    `problem` says why the SourceArn is unusable (missing or not an SES identity ARN).
    """

    user_pool_id: str
    pool_region: str | None
    source_arn: str | None
    region: str | None = None
    account: str | None = None
    identity: str | None = None
    from_header: str | None = None
    problem: str | None = None

    @property
    def identity_is_domain(self) -> bool:
        return self.identity is not None and "@" not in self.identity

    @property
    def from_address(self) -> str | None:
        """The address of the pool's From (`Name <addr>` or `addr`), if one is set."""
        if not self.from_header:
            return None
        address = parseaddr(self.from_header)[1]
        return address or None


@dataclass(frozen=True)
class SesIdentityLookup:
    """The SES verification status of the pool's identity in the SourceArn's region.

    `status` is SES's VerificationStatus (Success, Pending, Failed, TemporaryFailure,
    NotStarted), or None when SES in that region has no such identity.
    """

    sending: SesSending
    status: str | None


@dataclass(frozen=True)
class SesAccount:
    """SESv2 GetAccount in the SourceArn's region: sandbox, sending, enforcement, quota."""

    sending: SesSending
    region: str
    account: dict[str, Any]
