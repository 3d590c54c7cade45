"""The one error every AWS call raises (`AwsError`), and what it means in words a person can act
on. Imports nothing of botocore: fact providers catch `AwsError` without loading botocore
until a call is made."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import assert_never

ACCESS_DENIED = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "UnauthorizedException",
        # A 403 whose body botocore could not parse (some proxies and emulators send one).
        "403",
    }
)
EXPIRED = frozenset({"ExpiredToken", "ExpiredTokenException", "RequestExpired"})
UNKNOWN_KEY = frozenset({"InvalidClientTokenId", "UnrecognizedClientException"})
BAD_SIGNATURE = frozenset({"SignatureDoesNotMatch", "InvalidSignatureException"})
THROTTLED = frozenset(
    {"Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded"}
)
_NETWORK_FIX = "Check the network, a proxy or VPN in between, and --endpoint-url, then run again."


class ErrorKind(StrEnum):
    """What went wrong with an AWS call, as far as the answer (or its absence) tells."""

    ACCESS_DENIED = "access-denied"
    EXPIRED = "expired"
    UNKNOWN_KEY = "unknown-key"
    BAD_SIGNATURE = "bad-signature"
    THROTTLED = "throttled"
    SERVER = "server"  # HTTP 5xx
    OTHER_ANSWER = "other-answer"  # any other AWS error code
    NO_CREDENTIALS = "no-credentials"
    NO_PROFILE = "no-profile"
    READ_TIMEOUT = "read-timeout"
    CONNECTION_CLOSED = "connection-closed"
    CANNOT_CONNECT = "cannot-connect"
    HTTP_FAILED = "http-failed"
    CLIENT_FAILED = "client-failed"  # botocore failed before or after the request


def kind_of_code(code: str | None, http_status: int | None) -> ErrorKind:
    """The kind of an AWS answer with error `code` and `http_status`."""
    for codes, kind in (
        (ACCESS_DENIED, ErrorKind.ACCESS_DENIED),
        (EXPIRED, ErrorKind.EXPIRED),
        (UNKNOWN_KEY, ErrorKind.UNKNOWN_KEY),
        (BAD_SIGNATURE, ErrorKind.BAD_SIGNATURE),
        (THROTTLED, ErrorKind.THROTTLED),
    ):
        if code in codes:
            return kind
    if http_status is not None and http_status >= 500:
        return ErrorKind.SERVER
    return ErrorKind.OTHER_ANSWER


class AwsError(Exception):
    """An AWS call that failed: the kind, AWS's error code and message (when AWS answered), the
    HTTP status, how many attempts were made, and the endpoint when botocore named it."""

    def __init__(
        self,
        kind: ErrorKind,
        message: str,
        *,
        code: str | None = None,
        http_status: int | None = None,
        attempts: int | None = None,
        endpoint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.code = code
        self.http_status = http_status
        self.attempts = attempts
        self.endpoint = endpoint

    def explain(self, *, action: str, who: str = "the operator") -> tuple[str, str]:
        """(message, fix) in words a person can act on, for this failure of `action` (the IAM
        action name, e.g. `cognito-idp:DescribeUserPool`) made by `who`."""
        return Explanation(self, action, who).text()


@dataclass(frozen=True)
class Explanation:
    """The words for one AwsError of one action by one identity."""

    error: AwsError
    action: str
    who: str

    def text(self) -> tuple[str, str]:
        """(message, fix), chosen by the error's kind."""
        kind = self.error.kind
        if kind in _ANSWER_KINDS:
            return self._answer()
        return self._no_answer()

    def _retries(self) -> str:
        attempts = self.error.attempts
        if attempts and attempts > 1:
            return f" on all {attempts} attempts"
        return " even after retrying"

    def _answer(self) -> tuple[str, str]:
        """Words for an AWS answer (an error code, or an HTTP status)."""
        e, action, who = self.error, self.action, self.who
        match e.kind:
            case ErrorKind.ACCESS_DENIED:
                return (
                    f"{who} may not call {action} ({e.code})",
                    f"Grant {who} the IAM permission {action} (read-only), or run cognito-doctor "
                    "with credentials that have it (--profile NAME).",
                )
            case ErrorKind.EXPIRED:
                return (
                    f"{who}'s AWS credentials have expired ({e.code}) while calling {action}",
                    "Refresh the credentials (e.g. `aws sso login`, or new temporary keys) and "
                    "run again.",
                )
            case ErrorKind.UNKNOWN_KEY:
                return (
                    f"AWS does not know {who}'s access key ({e.code}) while calling {action}",
                    "Check AWS_ACCESS_KEY_ID or the profile: the key may be deleted, deactivated "
                    "or mistyped.",
                )
            case ErrorKind.BAD_SIGNATURE:
                return (
                    f"{who}'s secret key does not match its access key ({e.code}) while calling "
                    f"{action}",
                    "Copy the secret access key that belongs to this access key id again.",
                )
            case ErrorKind.THROTTLED:
                return (
                    f"AWS throttled {action} ({e.code}){self._retries()}",
                    "Wait a minute and run again; if it persists, look for another tool "
                    "hammering the API.",
                )
            case ErrorKind.SERVER:
                return (
                    f"{action} failed: AWS answered HTTP {e.http_status} ({e.code}: {e.message})"
                    f"{self._retries()}, an error on AWS's side or in a proxy in between",
                    "Run again in a few minutes; if it persists, check the AWS Health Dashboard "
                    "for this service and region, and any proxy or --endpoint-url in between.",
                )
            case _:
                return (
                    f"{action} failed: {e.code}: {e.message}",
                    "Run again (a passing fault clears); if it persists, check the credentials, "
                    "the region and --endpoint-url against the AWS error above.",
                )

    def _no_answer(self) -> tuple[str, str]:
        """Words for a call that got no AWS answer (credentials, network, botocore)."""
        e, action, who = self.error, self.action, self.who
        endpoint = f" ({e.endpoint})" if e.endpoint else ""
        match e.kind:
            case ErrorKind.NO_CREDENTIALS:
                return (
                    f"no AWS credentials found for {who} (needed for {action})",
                    "Configure credentials (AWS_PROFILE, `aws configure`, `aws sso login`) or "
                    "pass --profile NAME; for offline env checks only, pass --offline.",
                )
            case ErrorKind.NO_PROFILE:
                return (
                    e.message,
                    "Pass a profile that exists in ~/.aws/config (`aws configure list-profiles`).",
                )
            case ErrorKind.READ_TIMEOUT:
                return (
                    f"{action}: the endpoint{endpoint} did not answer within the read timeout, "
                    "even after retrying",
                    _NETWORK_FIX,
                )
            case ErrorKind.CONNECTION_CLOSED:
                return (
                    f"{action}: the connection to the endpoint{endpoint} was reset or closed "
                    "before an answer came, even after retrying",
                    _NETWORK_FIX,
                )
            case ErrorKind.CANNOT_CONNECT:
                return (
                    f"{action}: cannot connect to the endpoint{endpoint}: nothing answered there, "
                    "even after retrying",
                    "Check the network, the region and --endpoint-url (is the server running?), "
                    "then run again.",
                )
            case ErrorKind.HTTP_FAILED:
                return (
                    f"{action}: the HTTP connection to the endpoint{endpoint} failed ({e.message})",
                    _NETWORK_FIX,
                )
            case ErrorKind.CLIENT_FAILED:
                return (
                    f"{action} failed: {e.message}",
                    "Check the AWS configuration and run again.",
                )
            case (
                ErrorKind.ACCESS_DENIED
                | ErrorKind.EXPIRED
                | ErrorKind.UNKNOWN_KEY
                | ErrorKind.BAD_SIGNATURE
                | ErrorKind.THROTTLED
                | ErrorKind.SERVER
                | ErrorKind.OTHER_ANSWER
            ):
                raise AssertionError(f"{e.kind} is an answer")  # text() routes these to _answer
            case unreachable:
                assert_never(unreachable)


_ANSWER_KINDS = frozenset(
    {
        ErrorKind.ACCESS_DENIED,
        ErrorKind.EXPIRED,
        ErrorKind.UNKNOWN_KEY,
        ErrorKind.BAD_SIGNATURE,
        ErrorKind.THROTTLED,
        ErrorKind.SERVER,
        ErrorKind.OTHER_ANSWER,
    }
)


def explain(error: AwsError, *, action: str, who: str = "the operator") -> tuple[str, str]:
    """(message, fix) for `error` from `action` made by `who` (see AwsError.explain)."""
    return error.explain(action=action, who=who)
