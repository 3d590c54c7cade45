"""What a fix plan holds: per resource, the settings that change (before → after), the one
command that makes them all, the request `--apply` sends and what it read to build it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cognito_doctor.checks.changes import Resource
from cognito_doctor.platform.settings import RunConfig


@dataclass(frozen=True)
class MemberChange:
    """One setting (an API member, a dotted path into one, or a `.env` key)."""

    name: str
    before: Any
    after: Any


@dataclass(frozen=True)
class ResourcePlan:
    """Every change to one resource, made by one command.

    `request` is what `--apply` sends (the API input; for a `.env` file, the new text), and
    `read` what the plan was built from (the describe answer, or the file's text): `--apply`
    reads the resource again right before writing and refuses it if that changed.
    """

    resource: Resource
    target: str
    region: str
    checks: tuple[str, ...]
    changes: tuple[MemberChange, ...]
    command: str
    request: Mapping[str, Any]
    read: Any = field(repr=False, default=None)

    @property
    def label(self) -> str:
        match self.resource:
            case Resource.POOL:
                return f"user pool {self.target}"
            case Resource.MFA:
                return f"MFA configuration of {self.target}"
            case Resource.CLIENT:
                return f"app client {self.target}"
            case Resource.ENV_FILE:
                return self.target
            case Resource.NEW_POOL:
                return f"a new pool to replace {self.target}"
            case Resource.IAM_POLICY:
                return policy_label(self.target)


def policy_label(target: str) -> str:
    """An IAM policy target (see checks.changes.iam_policy_key) in words."""
    if target.startswith("arn:"):
        return f"managed policy {target}"
    owner_type, owner, name = target.split("/", 2)
    return f"inline policy {name} of {owner_type} {owner}"


class Refused(Exception):
    """The resource changed since the plan was made."""


@dataclass(frozen=True)
class NewPoolPlan:
    """What cannot change in place: the new pool and the steps around it (never applied)."""

    replaces: str
    checks: tuple[str, ...]
    reasons: tuple[str, ...]
    command: str
    steps: tuple[str, ...]


@dataclass(frozen=True)
class ByHand:
    """A problem the plan has no change for: the check's own fix, to do by hand."""

    check_id: str
    status: str
    fix: str


@dataclass
class Plan:
    """The whole plan of one run."""

    config: RunConfig
    resources: list[ResourcePlan] = field(default_factory=list)
    new_pool: NewPoolPlan | None = None
    by_hand: list[ByHand] = field(default_factory=list)
    # Resources the plan could not read (so has no command for), with the reason.
    unread: list[tuple[str, str]] = field(default_factory=list)
    secrets: Sequence[str] = field(default_factory=tuple, repr=False)

    @property
    def has_changes(self) -> bool:
        """Whether anything is left to change (exit 1): a planned change, a new pool, a
        problem to fix by hand (warnings without a change do not count) or a resource the plan
        could not read."""
        return bool(
            self.resources
            or self.new_pool
            or self.unread
            or any(item.status != "warn" for item in self.by_hand)
        )
