"""The options of one run, parsed once by the CLI and read by everything after it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cognito_doctor.model import Environment


@dataclass(frozen=True)
class RunConfig:
    """Everything a run needs to know, with no secrets in it."""

    root: Path
    environment: Environment = Environment.DEV
    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None
    offline: bool = False
    only: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    checks_dirs: tuple[Path, ...] = ()
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    max_attempts: int = 3
