"""What fact providers may read besides facts: the run's settings, and AWS access (created,
and botocore imported, on first use)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cognito_doctor.aws.failure import AwsError, ErrorKind
from cognito_doctor.aws.shared import SharedClients
from cognito_doctor.engine import runner
from cognito_doctor.engine.model import Cause, FactUnavailable, Report, Rules, Status
from cognito_doctor.engine.registry import Registry
from cognito_doctor.engine.resolve import FACT_THREAD_PREFIX, FactObserver
from cognito_doctor.platform.settings import RunConfig

if TYPE_CHECKING:
    from cognito_doctor.aws.clients import AwsAccess


# Nothing answered: every call to that endpoint fails the same way, whoever makes it.
NETWORK_KINDS = frozenset(
    {
        ErrorKind.CANNOT_CONNECT,
        ErrorKind.READ_TIMEOUT,
        ErrorKind.CONNECTION_CLOSED,
        ErrorKind.HTTP_FAILED,
    }
)
# The identity's credentials are unusable: every call it makes fails the same way.
CREDENTIAL_KINDS = frozenset(
    {
        ErrorKind.NO_CREDENTIALS,
        ErrorKind.NO_PROFILE,
        ErrorKind.EXPIRED,
        ErrorKind.UNKNOWN_KEY,
        ErrorKind.BAD_SIGNATURE,
    }
)


@dataclass
class CheckContext:
    """What fact providers may read besides facts: the run's settings, and AWS access."""

    config: RunConfig
    _aws: AwsAccess | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    clients: SharedClients | None = field(default=None, repr=False)

    @property
    def rules(self) -> Rules:
        return self.config.rules

    @property
    def prod(self) -> bool:
        return self.config.rules is Rules.PROD

    @property
    def aws(self) -> AwsAccess:
        """AWS access, created (and botocore imported) on first use."""
        with self._lock:
            if self._aws is None:
                from cognito_doctor.aws.clients import AwsAccess

                self._aws = AwsAccess(self.config, self.clients)
            return self._aws

    def waiting_for(self, fact: str) -> list[str]:
        """The AWS calls the thread producing `fact` is still waiting on."""
        with self._lock:
            aws = self._aws
        if aws is None:
            return []
        return aws.in_flight.of_thread(f"{FACT_THREAD_PREFIX}{fact}")


def aws_failure(exc: AwsError, action: str, who: str = "the operator") -> FactUnavailable:
    """The `error` a fact gives up with when `action` failed, in words a person can act on,
    with its cause (see cause_of)."""
    message, fix = exc.explain(action=action, who=who)
    return FactUnavailable(Status.ERROR, message, fix, cause_of(exc, action, who))


def cause_of(exc: AwsError, action: str, who: str = "the operator") -> Cause:
    """The Cause of an AWS failure, keyed by its kind: the network's kinds are one cause for
    every call and identity (nothing answers there), the credentials' one per identity, and
    any other failure one per action and identity (e.g. one missing permission)."""
    message, fix = exc.explain(action=action, who=who)
    kind = exc.kind
    if kind in NETWORK_KINDS:
        where = exc.endpoint or "AWS's endpoint"
        return Cause(
            kind.value,
            f"AWS can't be reached at {where} ({kind.value}): no check that needs AWS could "
            "verify anything",
            fix,
        )
    if kind in CREDENTIAL_KINDS:
        return Cause(
            f"{kind.value} {who}",
            f"{who}'s AWS credentials can't be used: {message}",
            fix,
        )
    return Cause(f"{kind.value} {action} {who}", message, fix)


def run_checks(
    config: RunConfig,
    registry: Registry,
    *,
    clients: SharedClients | None = None,
    observer: FactObserver | None = None,
) -> Report:
    """Run the selected checks of `registry` against `config` and return the report.

    `clients`, one per command line run, lets the environments of a multi-environment run
    share the AWS clients they have in common instead of creating each again.
    """
    context = CheckContext(config, clients=clients)
    return runner.run_checks(
        config, registry, context=context, observer=observer, waiting_for=context.waiting_for
    )
