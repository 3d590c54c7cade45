"""The optional config file: `cognito-doctor.toml`, or `[tool.cognito-doctor]` in pyproject.toml.

It names the `.env` paths, the environments (dev, staging, prod, …) and what each expects, and
per check `enabled`, a severity override, and `ignore` entries that must give a reason. It is
validated against the schema shipped in the package; every mistake is reported with its key path.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jsonschema import ValidationError

from cognito_doctor.engine.model import Rules, Severity
from cognito_doctor.engine.selection import CheckOverride, Ignore
from cognito_doctor.platform.envfiles import AUTH_ENV, UM_ENV, EnvReader
from cognito_doctor.platform.files import TooDeep, check_nesting, read_capped
from cognito_doctor.platform.settings import Expectations, RunConfig

CONFIG_FILE_NAME = "cognito-doctor.toml"


class ConfigError(Exception):
    """The config file is missing, unparsable or invalid; the message says where."""


@dataclass(frozen=True)
class EnvironmentSettings:
    """One `[environments.NAME]` table."""

    name: str
    rules: Rules
    um_env_path: str = UM_ENV
    auth_env_path: str = AUTH_ENV
    env_reader: EnvReader = EnvReader.NODE
    expect: Expectations = field(default_factory=Expectations)
    principal_arn: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None


@dataclass(frozen=True)
class FileConfig:
    """A validated config file (or the runbook's defaults when there is none)."""

    source: Path | None
    environments: dict[str, EnvironmentSettings]
    default_environment: str
    overrides: tuple[tuple[str, CheckOverride], ...] = ()
    ignores: tuple[Ignore, ...] = ()

    def settings(self, name: str) -> EnvironmentSettings:
        return self.environments[name]


MAX_CONFIG_BYTES = 1_000_000

DEFAULT_CONFIG = FileConfig(
    source=None,
    environments={
        "dev": EnvironmentSettings("dev", Rules.DEV),
        "prod": EnvironmentSettings("prod", Rules.PROD),
    },
    default_environment="dev",
)


def config_schema() -> dict[str, Any]:
    text = resources.files("cognito_doctor").joinpath("schemas/config.schema.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


def find_config(root: Path) -> Path | None:
    """`cognito-doctor.toml` in root, else a pyproject.toml there with [tool.cognito-doctor]."""
    candidate = root / CONFIG_FILE_NAME
    if candidate.is_file() or candidate.exists():
        # Not only a regular file: a FIFO or a directory of that name is an error the reader
        # names, not a config file silently left out.
        return candidate
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        import tomllib  # only when there is something to parse: every start would pay for it

        try:
            raw = read_capped(pyproject, "pyproject.toml", MAX_CONFIG_BYTES)
            text = raw.decode("utf-8") if isinstance(raw, bytes) else ""
            check_nesting(text)
            data = tomllib.loads(text)
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, TooDeep):
            return None  # not ours to judge; only a [tool.cognito-doctor] table is
        if "cognito-doctor" in data.get("tool", {}):
            return pyproject
    return None


def load_config(path: Path | None, known_checks: Iterable[str]) -> FileConfig:
    """Read and validate `path`; None gives the runbook's defaults."""
    if path is None:
        return DEFAULT_CONFIG
    raw = read_capped(path, str(path), MAX_CONFIG_BYTES)
    if isinstance(raw, str):
        raise ConfigError(f"cannot read the config file: {raw}")
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path}: a config file is far smaller than {MAX_CONFIG_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    import tomllib

    try:
        check_nesting(text)
        data = tomllib.loads(text)
    except TooDeep as exc:
        raise ConfigError(f"{path}: not a config file: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("cognito-doctor", {})
    return parse_config(data, path, set(known_checks))


def _key_path(error: ValidationError) -> str:
    return ".".join(str(part) for part in error.absolute_path) or "(top level)"


def parse_config(data: Mapping[str, Any], source: Path, known_checks: set[str]) -> FileConfig:
    """Validate the config's data and turn it into a FileConfig."""
    import jsonschema  # only when there is a config file: it costs 80 ms to import

    validator = jsonschema.Draft202012Validator(config_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        raise ConfigError(
            f"{source}: invalid configuration:\n"
            + "\n".join(f"  {_key_path(e)}: {_describe(e)}" for e in errors)
        )
    problems = []
    for check_id in data.get("checks", {}):
        if check_id not in known_checks:
            problems.append(f"  checks.{check_id}: no check has this id")
    for index, entry in enumerate(data.get("ignore", [])):
        if entry["check"] not in known_checks:
            problems.append(f"  ignore.{index}.check: no check has the id {entry['check']!r}")
    base_paths = data.get("paths", {})
    environments: dict[str, EnvironmentSettings] = {}
    for name, table in (data.get("environments") or {}).items():
        environments[name] = _environment(name, table, base_paths)
    if not environments:
        um_path, auth_path = _paths(base_paths, {})
        environments = {
            name: replace(settings, um_env_path=um_path, auth_env_path=auth_path)
            for name, settings in DEFAULT_CONFIG.environments.items()
        }
    default = data.get(
        "default_environment", "dev" if "dev" in environments else next(iter(environments))
    )
    if default not in environments:
        problems.append(
            f"  default_environment: {default!r} is not one of the environments "
            f"({', '.join(environments)})"
        )
    for index, entry in enumerate(data.get("ignore", [])):
        for env_name in entry.get("environments", []):
            if env_name not in environments:
                problems.append(f"  ignore.{index}.environments: no environment {env_name!r}")
    if problems:
        raise ConfigError(f"{source}: invalid configuration:\n" + "\n".join(problems))
    overrides = tuple(
        (
            check_id,
            CheckOverride(
                enabled=table.get("enabled", True),
                severity=Severity(table["severity"]) if "severity" in table else None,
            ),
        )
        for check_id, table in data.get("checks", {}).items()
    )
    ignores = tuple(
        Ignore(entry["check"], entry["reason"].strip(), tuple(entry.get("environments", ())))
        for entry in data.get("ignore", [])
    )
    return FileConfig(source, environments, default, overrides, ignores)


def _describe(error: ValidationError) -> str:
    if error.validator == "additionalProperties":
        return error.message.replace("Additional properties are not allowed", "unknown key(s)")
    if error.validator == "required":
        return error.message.replace("is a required property", "is required")
    return error.message


def _paths(base: Mapping[str, str], own: Mapping[str, str]) -> tuple[str, str]:
    """(user-management's .env path, auth's), an environment's own over the top-level ones."""
    merged = {**base, **own}
    return merged.get("user_management", UM_ENV), merged.get("auth", AUTH_ENV)


def _environment(
    name: str, table: Mapping[str, Any], base_paths: Mapping[str, str]
) -> EnvironmentSettings:
    rules = table.get("rules") or ("prod" if name.startswith("prod") else "dev")
    um_path, auth_path = _paths(base_paths, table.get("paths", {}))
    return EnvironmentSettings(
        name=name,
        rules=Rules(rules),
        expect=Expectations(
            region=table.get("region"),
            app_client_name=table.get("app_client_name", "clinical-platform"),
            password_min_length=table.get("password_min_length"),
            email_sending=table.get("email_sending"),
        ),
        principal_arn=table.get("principal_arn"),
        profile=table.get("profile"),
        endpoint_url=table.get("endpoint_url"),
        um_env_path=um_path,
        auth_env_path=auth_path,
        env_reader=EnvReader(table.get("env_reader", EnvReader.NODE.value)),
    )


def run_config_for(base: RunConfig, file_config: FileConfig, name: str) -> RunConfig:
    """The RunConfig of environment `name`: the config file's settings, command line on top."""
    settings = file_config.settings(name)
    return replace(
        base,
        rules=settings.rules,
        environment_name=name,
        um_env_path=settings.um_env_path,
        auth_env_path=settings.auth_env_path,
        env_reader=settings.env_reader,
        expect=settings.expect,
        principal_arn=base.principal_arn or settings.principal_arn,
        profile=base.profile or settings.profile,
        endpoint_url=base.endpoint_url or settings.endpoint_url,
        overrides=file_config.overrides,
        ignores=file_config.ignores,
    )
