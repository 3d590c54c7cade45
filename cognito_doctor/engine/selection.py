"""What a run asks of the engine: which checks, with which overrides, under which rules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from cognito_doctor.engine.model import Rules, Severity


@dataclass(frozen=True)
class CheckOverride:
    """A config file's `[checks."ID"]` table."""

    enabled: bool = True
    severity: Severity | None = None


@dataclass(frozen=True)
class Ignore:
    """A config file's `[[ignore]]` entry: the check is reported as skipped, with the reason."""

    check: str
    reason: str
    environments: tuple[str, ...] = ()

    def applies(self, check_id: str, environment_name: str) -> bool:
        return self.check == check_id and (
            not self.environments or environment_name in self.environments
        )


class RunOptions(Protocol):
    """The options the engine reads (the platform's settings provide them)."""

    @property
    def rules(self) -> Rules: ...
    @property
    def name(self) -> str: ...
    @property
    def offline(self) -> bool: ...
    @property
    def only(self) -> tuple[str, ...]: ...
    @property
    def skip(self) -> tuple[str, ...]: ...
    @property
    def timeout(self) -> float: ...
    def override(self, check_id: str) -> CheckOverride: ...
    def ignored(self, check_id: str) -> Ignore | None: ...
