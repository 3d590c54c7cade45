"""What the iam providers need from cognito_doctor.aws (recognising and explaining AWS
errors, the service's keys), imported only when called: that module imports botocore,
which `check --offline` must never load."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cognito_doctor.facts import EnvFiles

if TYPE_CHECKING:
    from cognito_doctor.aws import ServiceKeys


def _aws_error(exc: BaseException) -> bool:
    from cognito_doctor.aws import is_aws_error

    return is_aws_error(exc)


def _code(exc: BaseException) -> str | None:
    from cognito_doctor.aws import error_code

    return error_code(exc)


def _explain(exc: BaseException, action: str, who: str = "the operator") -> str:
    from cognito_doctor.aws import explain

    return explain(exc, action=action, who=who)[0]


def _service_keys(env_files: EnvFiles) -> ServiceKeys | None:
    from cognito_doctor.facts import service_keys

    return service_keys(env_files.um) if env_files.um.usable else None
