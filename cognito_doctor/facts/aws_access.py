"""What the iam providers need from cognito_doctor.aws (recognising and explaining AWS
errors, the service's keys), imported only when called: that module imports botocore,
which `check --offline` must never load."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cognito_doctor.platform.envfiles import EnvFiles

if TYPE_CHECKING:
    from cognito_doctor.aws.clients import ServiceKeys


def aws_error(exc: BaseException) -> bool:
    """Whether `exc` comes from talking to AWS (a botocore error)."""
    from cognito_doctor.aws.errors import is_aws_error

    return is_aws_error(exc)


def code(exc: BaseException) -> str | None:
    """The AWS error code `exc` carries, if any."""
    from cognito_doctor.aws.errors import error_code

    return error_code(exc)


def explain(exc: BaseException, action: str, who: str = "the operator") -> str:
    """The message, in words a person can act on, for an AWS error from `action`."""
    from cognito_doctor.aws.errors import explain as aws_explain

    return aws_explain(exc, action=action, who=who)[0]


def service_keys(env_files: EnvFiles) -> ServiceKeys | None:
    """The static keys in the service's .env file, or None (unusable file, or no keys)."""
    from cognito_doctor.facts.identity import service_keys as read_service_keys

    return read_service_keys(env_files.um) if env_files.um.usable else None
