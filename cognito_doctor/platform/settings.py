"""The options of one run, parsed once by the CLI (and the config file) and read by everything
after it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cognito_doctor.engine.model import Rules
from cognito_doctor.engine.selection import CheckOverride, Ignore
from cognito_doctor.platform.envfiles import AUTH_ENV, UM_ENV, EnvReader


@dataclass(frozen=True)
class Expectations:
    """What one environment expects beyond the runbook's defaults (None: the runbook's)."""

    region: str | None = None
    app_client_name: str = "clinical-platform"
    password_min_length: int | None = None
    email_sending: str | None = None


@dataclass(frozen=True)
class RunConfig:
    """Everything one run (one environment) needs to know, with no secrets in it."""

    root: Path
    rules: Rules = Rules.DEV
    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None
    offline: bool = False
    only: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    principal_arn: str | None = None
    policy_file: Path | None = None
    probe: bool = False
    environment_name: str = ""
    um_env_path: str = UM_ENV
    auth_env_path: str = AUTH_ENV
    env_reader: EnvReader = EnvReader.NODE
    expect: Expectations = field(default_factory=Expectations)
    overrides: tuple[tuple[str, CheckOverride], ...] = ()
    ignores: tuple[Ignore, ...] = ()
    timeout: float = 60.0
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    max_attempts: int = 3

    @property
    def prod(self) -> bool:
        """Whether the prod rules apply (stricter: no static keys, SES, longer passwords)."""
        return self.rules is Rules.PROD

    @property
    def name(self) -> str:
        """The environment's name: a config file's (e.g. staging), else dev or prod."""
        return self.environment_name or self.rules.value

    def override(self, check_id: str) -> CheckOverride:
        return dict(self.overrides).get(check_id, CheckOverride())

    def ignored(self, check_id: str) -> Ignore | None:
        return next((i for i in self.ignores if i.applies(check_id, self.name)), None)
