"""The only module that imports boto3: sessions for the two identities, shared clients, and
plain-words explanations of botocore errors.

Import this module lazily (from inside fact providers), so that `--offline` and `--help`
never pay for importing boto3.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import boto3
import botocore.config
import botocore.exceptions
import botocore.session
from botocore.client import BaseClient

from cognito_doctor.config import RunConfig

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


@dataclass(frozen=True)
class ServiceKeys:
    """The static keys from services/user-management/.env (held in memory, never shown)."""

    access_key_id: str
    secret_access_key: str
    session_token: str | None = None

    def __repr__(self) -> str:  # keeps secrets out of tracebacks and debug output
        return f"ServiceKeys(access_key_id='…{self.access_key_id[-4:]}')"


_loader_lock = threading.Lock()
_shared_loader: Any = None


def _botocore_session() -> botocore.session.Session:
    """A new botocore session that shares one data loader with every other in this process.

    Sessions are per identity, but the service models they load are the same: sharing the
    loader's cache saves parsing them again for every identity and every environment of a run.
    """
    global _shared_loader
    session = botocore.session.Session()
    with _loader_lock:
        if _shared_loader is None:
            _shared_loader = session.get_component("data_loader")
        else:
            session.register_component("data_loader", _shared_loader)
    return session


class AwsAccess:
    """Clients for the operator (standard chain or --profile) and for the service's keys.

    boto3 sessions are not thread-safe but clients are: clients are created once under a lock
    and then shared by every fact provider thread.
    """

    def __init__(self, config: RunConfig) -> None:
        self._config = config
        self._lock = threading.Lock()
        self._clients: dict[tuple[str, str, str], BaseClient] = {}
        self._botocore_config = botocore.config.Config(
            connect_timeout=config.connect_timeout,
            read_timeout=config.read_timeout,
            retries={"mode": "standard", "total_max_attempts": config.max_attempts},
            user_agent_extra="cognito-doctor",
        )

    @property
    def endpoint_url(self) -> str | None:
        return self._config.endpoint_url

    def operator(self, service: str, region: str) -> Any:
        """A client with the operator's credentials (the standard chain or --profile)."""
        key = ("operator", service, region)
        with self._lock:
            if key not in self._clients:
                session = boto3.Session(
                    botocore_session=_botocore_session(),
                    profile_name=self._config.profile,
                    region_name=region,
                )
                self._clients[key] = self._make(session, service, region)
            return self._clients[key]

    def service(self, service: str, region: str, keys: ServiceKeys) -> Any:
        """A client with the keys the service itself uses."""
        key = (f"service:{keys.access_key_id}", service, region)
        with self._lock:
            if key not in self._clients:
                session = boto3.Session(
                    botocore_session=_botocore_session(),
                    aws_access_key_id=keys.access_key_id,
                    aws_secret_access_key=keys.secret_access_key,
                    aws_session_token=keys.session_token,
                    region_name=region,
                )
                self._clients[key] = self._make(session, service, region)
            return self._clients[key]

    def _make(self, session: boto3.Session, service: str, region: str) -> BaseClient:
        client: BaseClient = session.client(
            service,  # type: ignore[call-overload]
            region_name=region,
            endpoint_url=self._config.endpoint_url,
            config=self._botocore_config,
        )
        return client


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
            f"AWS throttled {action} ({code}) even after retrying",
            "Wait a minute and run again; if it persists, look for another tool hammering the API.",
        )
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
    if isinstance(exc, botocore.exceptions.ReadTimeoutError):
        return (
            f"{action}: the endpoint did not answer in time ({exc.kwargs.get('endpoint_url', '')})",
            "Check the network or --endpoint-url, then run again.",
        )
    if isinstance(
        exc, botocore.exceptions.EndpointConnectionError | botocore.exceptions.ConnectionError
    ):
        return (
            f"{action}: cannot connect to the endpoint ({exc})",
            "Check the network, the region and --endpoint-url, then run again.",
        )
    if isinstance(exc, botocore.exceptions.ClientError):
        return (
            f"{action} failed: {code}: {error_message(exc)}",
            "Run again (a passing fault clears); if it persists, check the credentials, the "
            "region and --endpoint-url against the AWS error above.",
        )
    if isinstance(exc, botocore.exceptions.BotoCoreError):
        return (f"{action} failed: {exc}", "Check the AWS configuration and run again.")
    return (f"{action} failed: {type(exc).__name__}: {exc}", "")


def is_aws_error(exc: BaseException) -> bool:
    """Whether `exc` comes from talking to AWS (and so should become an `error` result)."""
    return isinstance(exc, botocore.exceptions.BotoCoreError | botocore.exceptions.ClientError)
