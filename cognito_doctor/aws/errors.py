"""Recognising botocore's errors and saying, in words a person can act on, what each means."""

from __future__ import annotations

import botocore.exceptions

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


def error_code(exc: BaseException) -> str | None:
    """The AWS error code of a ClientError, else None."""
    if isinstance(exc, botocore.exceptions.ClientError):
        code = exc.response.get("Error", {}).get("Code")
        return str(code) if code else None
    return None


def error_message(exc: BaseException) -> str:
    if isinstance(exc, botocore.exceptions.ClientError):
        return str(exc.response.get("Error", {}).get("Message", "")).strip()
    return str(exc)


def explain(exc: BaseException, *, action: str, who: str = "the operator") -> tuple[str, str]:
    """(message, fix) in words a person can act on, for an exception from `action`.

    `action` is the IAM action name, e.g. `cognito-idp:DescribeUserPool`; `who` names the
    identity that made the call.
    """
    code = error_code(exc)
    known = _explain_aws_answer(exc, code, action=action, who=who)
    if known is None:
        known = _explain_botocore(exc, action=action, who=who)
    if known is not None:
        return known
    if isinstance(exc, botocore.exceptions.ClientError):
        return (
            f"{action} failed: {code}: {error_message(exc)}",
            "Run again (a passing fault clears); if it persists, check the credentials, the "
            "region and --endpoint-url against the AWS error above.",
        )
    if isinstance(exc, botocore.exceptions.BotoCoreError):
        return (f"{action} failed: {exc}", "Check the AWS configuration and run again.")
    return (f"{action} failed: {type(exc).__name__}: {exc}", "")


def _explain_aws_answer(
    exc: BaseException, code: str | None, *, action: str, who: str
) -> tuple[str, str] | None:
    """(message, fix) for an AWS answer whose error code (or 5xx status) is a known kind."""
    if code in ACCESS_DENIED:
        return (
            f"{who} may not call {action} ({code})",
            f"Grant {who} the IAM permission {action} (read-only), or run cognito-doctor "
            "with credentials that have it (--profile NAME).",
        )
    if code in EXPIRED:
        return (
            f"{who}'s AWS credentials have expired ({code}) while calling {action}",
            "Refresh the credentials (e.g. `aws sso login`, or new temporary keys) and run again.",
        )
    if code in UNKNOWN_KEY:
        return (
            f"AWS does not know {who}'s access key ({code}) while calling {action}",
            "Check AWS_ACCESS_KEY_ID or the profile: the key may be deleted, deactivated "
            "or mistyped.",
        )
    if code in BAD_SIGNATURE:
        return (
            f"{who}'s secret key does not match its access key ({code}) while calling {action}",
            "Copy the secret access key that belongs to this access key id again.",
        )
    if code in THROTTLED:
        return (
            f"AWS throttled {action} ({code}){_after_retries(exc)}",
            "Wait a minute and run again; if it persists, look for another tool hammering the API.",
        )
    status = http_status(exc)
    if status is not None and status >= 500:
        return (
            f"{action} failed: AWS answered HTTP {status} ({code}: {error_message(exc)})"
            f"{_after_retries(exc)}, an error on AWS's side or in a proxy in between",
            "Run again in a few minutes; if it persists, check the AWS Health Dashboard for "
            "this service and region, and any proxy or --endpoint-url in between.",
        )
    return None


def _explain_botocore(exc: BaseException, *, action: str, who: str) -> tuple[str, str] | None:
    """(message, fix) for botocore's known credential and connection errors."""
    if isinstance(exc, botocore.exceptions.NoCredentialsError):
        return (
            f"no AWS credentials found for {who} (needed for {action})",
            "Configure credentials (AWS_PROFILE, `aws configure`, `aws sso login`) or pass "
            "--profile NAME; for offline env checks only, pass --offline.",
        )
    if isinstance(exc, botocore.exceptions.ProfileNotFound):
        return (
            str(exc),
            "Pass a profile that exists in ~/.aws/config (`aws configure list-profiles`).",
        )
    endpoint = _endpoint_of(exc)
    if isinstance(exc, botocore.exceptions.ReadTimeoutError):
        return (
            f"{action}: the endpoint{endpoint} did not answer within the read timeout, even "
            "after retrying",
            "Check the network, a proxy or VPN in between, and --endpoint-url, then run again.",
        )
    if isinstance(exc, botocore.exceptions.ConnectionClosedError):
        return (
            f"{action}: the connection to the endpoint{endpoint} was reset or closed before "
            "an answer came, even after retrying",
            "Check the network, a proxy or VPN in between, and --endpoint-url, then run again.",
        )
    if isinstance(
        exc, botocore.exceptions.EndpointConnectionError | botocore.exceptions.ConnectionError
    ):
        return (
            f"{action}: cannot connect to the endpoint{endpoint}: nothing answered there, "
            "even after retrying",
            "Check the network, the region and --endpoint-url (is the server running?), then "
            "run again.",
        )
    if isinstance(exc, botocore.exceptions.HTTPClientError):
        return (
            f"{action}: the HTTP connection to the endpoint{endpoint} failed ({exc})",
            "Check the network, a proxy or VPN in between, and --endpoint-url, then run again.",
        )
    return None


def http_status(exc: BaseException) -> int | None:
    """The HTTP status of a ClientError's response, else None."""
    if isinstance(exc, botocore.exceptions.ClientError):
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return status if isinstance(status, int) else None
    return None


def _after_retries(exc: BaseException) -> str:
    if isinstance(exc, botocore.exceptions.ClientError):
        retries = exc.response.get("ResponseMetadata", {}).get("RetryAttempts")
        if isinstance(retries, int) and retries > 0:
            return f" on all {retries + 1} attempts"
    return " even after retrying"


def _endpoint_of(exc: BaseException) -> str:
    """' (URL)' for a botocore connection error that names its endpoint, else ''."""
    url = getattr(exc, "kwargs", {}).get("endpoint_url")
    return f" ({url})" if url else ""


def is_aws_error(exc: BaseException) -> bool:
    """Whether `exc` comes from talking to AWS (and so should become an `error` result)."""
    return isinstance(exc, botocore.exceptions.BotoCoreError | botocore.exceptions.ClientError)
