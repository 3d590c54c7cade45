"""The principal whose permissions matter, and the identity policies read for it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from cognito_doctor.iam.policies import PolicySource


@dataclass(frozen=True)
class Principal:
    """The IAM user or role whose permissions matter, and how it was found.

    `problem` is set when the ARN can't be simulated (root, a federated user, a group, a
    principal that doesn't exist); iam.principal fails with it and the other iam checks skip.
    """

    arn: str
    kind: str
    name: str
    account: str
    partition: str
    source: str
    given_arn: str
    notes: tuple[str, ...] = ()
    # Why IAM's own record of the principal (does it exist, its path, its boundary) wasn't read.
    unverified: str | None = None
    problem: str | None = None
    fix: str = ""
    permissions_boundary: str | None = None
    # The principal's tags as iam:GetUser / iam:GetRole returned them (None: not read).
    tags: Mapping[str, str] | None = field(default=None, compare=False)

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name}"

    def console(self) -> str:
        section = "Users" if self.kind == "user" else "Roles"
        return f"IAM → {section} → {self.name}"


# What the operator needs for the local fallback, per principal kind.
USER_READ_PERMISSIONS = (
    "iam:ListUserPolicies",
    "iam:GetUserPolicy",
    "iam:ListAttachedUserPolicies",
    "iam:GetPolicy",
    "iam:GetPolicyVersion",
    "iam:ListGroupsForUser",
    "iam:ListGroupPolicies",
    "iam:GetGroupPolicy",
    "iam:ListAttachedGroupPolicies",
)


ROLE_READ_PERMISSIONS = (
    "iam:ListRolePolicies",
    "iam:GetRolePolicy",
    "iam:ListAttachedRolePolicies",
    "iam:GetPolicy",
    "iam:GetPolicyVersion",
)


@dataclass(frozen=True)
class PolicySet:
    """The principal's identity policies, or why they could not all be read."""

    principal: Principal
    sources: tuple[PolicySource, ...] = ()
    problem: str | None = None
    needed: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return self.problem is None
