"""The offline facts: the run's settings, both `.env` files, and the target they name."""

from __future__ import annotations

from cognito_doctor.engine.model import FactUnavailable, Status, Target
from cognito_doctor.engine.registry import fact
from cognito_doctor.facts.context import CheckContext
from cognito_doctor.platform.envfiles import EnvFile, EnvFiles, read_env_file
from cognito_doctor.platform.settings import RunConfig
from cognito_doctor.platform.target import EnvTarget, PoolRef, read_target


@fact("settings")
def settings(ctx: CheckContext) -> RunConfig:
    """The run's settings: the rules (dev or prod), the config file's expectations, the paths
    of the `.env` files, the endpoint. Checks read them as this fact."""
    return ctx.config


@fact("env_files")
def env_files(settings: RunConfig) -> EnvFiles:
    """Both `.env` files under --root (at the config file's paths), read and parsed with the
    environment's reader (`env_reader`: dotenv for Node by default)."""
    return EnvFiles(
        read_env_file(settings.root, settings.um_env_path, settings.env_reader),
        read_env_file(settings.root, settings.auth_env_path, settings.env_reader),
    )


def _usable(env: EnvFile) -> EnvFile:
    if not env.usable:
        raise FactUnavailable(Status.SKIP, f"{env.problem} (see env.files)")
    return env


@fact("um_env")
def um_env(env_files: EnvFiles) -> EnvFile:
    """services/user-management/.env, when it exists and is readable."""
    return _usable(env_files.um)


@fact("auth_env")
def auth_env(env_files: EnvFiles) -> EnvFile:
    """services/auth/.env, when it exists and is readable."""
    return _usable(env_files.auth)


@fact("env_target")
def env_target(env_files: EnvFiles, settings: RunConfig) -> EnvTarget:
    """What the `.env` files name (pool id, region, app client id, issuer) and where each is."""
    return read_target(env_files, settings.region)


@fact("pool_ref")
def pool_ref(env_target: EnvTarget) -> PoolRef:
    """The pool id, region and app client id the `.env` files name (--region overrides)."""
    ref = env_target.pool_ref()
    if isinstance(ref, str):
        raise FactUnavailable(Status.SKIP, ref)
    return ref


@fact("report_target")
def report_target(env_target: EnvTarget, settings: RunConfig) -> Target:
    """The report's header: what the run looked at, and the line findings without a location
    of their own are annotated on (COGNITO_USER_POOL_ID in services/user-management/.env)."""
    return Target(
        root=str(settings.root),
        region=env_target.region.value,
        user_pool_id=env_target.pool_id.value,
        app_client_id=env_target.app_client_id.value,
        endpoint_url=settings.endpoint_url,
        anchor=env_target.anchor,
    )
