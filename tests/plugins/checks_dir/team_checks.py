"""A team's own checks, loaded with --checks-dir: one defines its own fact."""

from __future__ import annotations

from cognito_doctor.engine.model import Outcome, failed, passed
from cognito_doctor.engine.registry import check, fact
from cognito_doctor.facts.context import CheckContext
from cognito_doctor.platform.envfiles import UM_ENV, EnvFile


@fact("team_log_level", needs=["um_env"])
def team_log_level(ctx: CheckContext, um_env: EnvFile) -> str | None:
    """LOG_LEVEL from services/user-management/.env."""
    return um_env.get("LOG_LEVEL")


@check(
    "team.log-level",
    title="user-management does not log at debug level",
    severity="warning",
    needs=["team_log_level", "um_env"],
)
def log_level_not_debug(team_log_level: str | None, um_env: EnvFile) -> Outcome:
    """
    ## What it checks
    That `LOG_LEVEL` in `services/user-management/.env` is not `debug`.

    ## Why it matters
    At debug level the AWS SDK logs request bodies, email addresses included.

    ## How to fix
    Set `LOG_LEVEL=info` in `services/user-management/.env`.
    """
    if team_log_level == "debug":
        return failed(
            "LOG_LEVEL=debug logs every Cognito request body",
            f"Set LOG_LEVEL=info in {UM_ENV}.",
            location=um_env.location("LOG_LEVEL"),
        )
    return passed(f"LOG_LEVEL={team_log_level or 'unset'}")


@check(
    "team.provider-noted",
    title="The team's provider note",
    severity="info",
    needs=["um_env"],
)
def provider_noted(um_env: EnvFile) -> Outcome:
    """
    ## What it checks
    That `COGNITO_PROVIDER` is set at all in `services/user-management/.env`.

    ## Why it matters
    The team's dashboards group services by provider.

    ## How to fix
    Set `COGNITO_PROVIDER` explicitly.
    """
    return passed(f"COGNITO_PROVIDER={um_env.get('COGNITO_PROVIDER')}")
