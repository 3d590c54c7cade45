"""Identity policies and their statements: where a policy comes from, its statements, and
which action and resource a statement covers (Action / NotAction, Resource / NotResource,
`*` / `?` wildcards)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, assert_never
from urllib.parse import unquote

from cognito_doctor.iam.kinds import OwnerKind, PolicyKind
from cognito_doctor.iam.matching import action_matches, resource_matches
from cognito_doctor.platform.files import TooDeep, check_nesting

OWNER_SECTIONS = {OwnerKind.USER: "Users", OwnerKind.GROUP: "User groups", OwnerKind.ROLE: "Roles"}


@dataclass(frozen=True)
class PolicySource:
    """One identity policy of the principal (or of one of its groups)."""

    kind: PolicyKind
    owner_type: OwnerKind
    owner: str
    name: str
    document: Mapping[str, Any] = field(compare=False)
    arn: str | None = None

    @property
    def aws_managed(self) -> bool:
        return bool(self.arn and ":iam::aws:policy/" in self.arn)

    @property
    def label(self) -> str:
        match self.kind:
            case PolicyKind.INLINE:
                return f'inline policy "{self.name}" of {self.owner_type} {self.owner}'
            case PolicyKind.MANAGED:
                managed = "AWS managed" if self.aws_managed else "managed"
                owner = f"{self.owner_type} {self.owner}"
                return f'{managed} policy "{self.name}" ({self.arn}) attached to {owner}'
            case unreachable:
                assert_never(unreachable)

    def console(self) -> str:
        match self.kind:
            case PolicyKind.MANAGED:
                return f"IAM → Policies → {self.name} → Edit → JSON"
            case PolicyKind.INLINE:
                section = OWNER_SECTIONS[self.owner_type]
                return f"IAM → {section} → {self.owner} → Permissions → {self.name} → Edit → JSON"
            case unreachable:
                assert_never(unreachable)

    def is_source(self, source_id: str, source_type: str | None) -> bool:
        """Whether a simulator `MatchedStatements` entry (SourcePolicyId/Type) means this policy."""
        ids = {self.name, f"{self.owner_type}_{self.owner}_{self.name}"}
        if self.arn:
            ids.add(self.arn)
        if source_id not in ids:
            return False
        if source_type in (None, "", "none", "IAM Policy"):
            return True
        match self.kind:
            case PolicyKind.INLINE:
                return source_type == self.owner_type
            case PolicyKind.MANAGED:
                return source_type in ("aws-managed", "user-managed")
            case unreachable:
                assert_never(unreachable)

    def statements(self) -> list[Mapping[str, Any]]:
        return policy_statements(self.document)


def decode_document(raw: Any, name: str) -> Mapping[str, Any]:
    """A policy document as IAM returns it (URL-encoded JSON text, per IAM's API reference
    for GetUserPolicy/GetPolicyVersion; an emulator may send it plain or decoded). ValueError,
    naming policy `name`, when it is not a JSON object or nests deeper than a policy can."""
    if isinstance(raw, Mapping):
        return raw
    text = str(raw)
    for candidate in (text, unquote(text)):
        try:
            check_nesting(candidate)
            loaded = json.loads(candidate)
        except TooDeep as exc:
            raise ValueError(f"the document of policy {name} is {exc}") from None
        except ValueError:
            continue
        if isinstance(loaded, Mapping):
            return loaded
        raise ValueError(f"the document of policy {name} is JSON but not an object")
    raise ValueError(f"the document of policy {name} is not JSON (nor URL-encoded JSON)")


def policy_statements(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """A policy's statements as a list (IAM accepts one statement object, too)."""
    statement = document.get("Statement", [])
    statements = statement if isinstance(statement, list) else [statement]
    return [s for s in statements if isinstance(s, Mapping)]


def element_values(element: Any) -> list[str]:
    """A policy element (string or list of strings) as a list."""
    if isinstance(element, str):
        return [element]
    if isinstance(element, list):
        return [str(v) for v in element if isinstance(v, str)]
    return []


def covers_action(statement: Mapping[str, Any], action: str) -> bool:
    """Whether the statement's Action (or NotAction) covers `action` (case-insensitive)."""
    if "Action" in statement:
        return any(action_matches(p, action) for p in element_values(statement["Action"]))
    if "NotAction" in statement:
        return not any(action_matches(p, action) for p in element_values(statement["NotAction"]))
    return False


def covers_resource(statement: Mapping[str, Any], resource: str) -> bool:
    """Whether the statement's Resource (or NotResource) surely covers `resource`, ARN part by
    part, case-sensitive (a policy variable with no known value covers nothing here: the
    evaluator says such a statement is context-dependent)."""
    if "Resource" in statement:
        return any(resource_matches(p, resource) for p in element_values(statement["Resource"]))
    if "NotResource" in statement:
        return not any(
            resource_matches(p, resource) is not False
            for p in element_values(statement["NotResource"])
        )
    return False


def condition_keys(statement: Mapping[str, Any]) -> list[str]:
    """The context keys a statement's Condition tests."""
    condition = statement.get("Condition")
    if not isinstance(condition, Mapping):
        return []
    keys = [str(k) for block in condition.values() if isinstance(block, Mapping) for k in block]
    return list(dict.fromkeys(keys))


def is_deny(statement: Mapping[str, Any]) -> bool:
    """Whether the statement's Effect is Deny (any case)."""
    return str(statement.get("Effect", "")).lower() == "deny"


@dataclass(frozen=True)
class StatementRef:
    """One statement of one policy, by position."""

    source: PolicySource
    index: int

    @property
    def statement(self) -> Mapping[str, Any]:
        return self.source.statements()[self.index]

    @property
    def name(self) -> str:
        sid = self.statement.get("Sid")
        return f'statement "{sid}"' if sid else f"statement {self.index + 1}"

    @property
    def label(self) -> str:
        return f"{self.name} of {self.source.label}"


def all_statements(sources: Iterable[PolicySource]) -> Iterator[StatementRef]:
    """Every statement of every policy, in order."""
    for source in sources:
        for index in range(len(source.statements())):
            yield StatementRef(source, index)


def statements_naming(sources: Iterable[PolicySource], action: str) -> list[StatementRef]:
    """The Allow statements whose Action covers `action`, whatever their Resource."""
    return [
        ref
        for ref in all_statements(sources)
        if not is_deny(ref.statement) and covers_action(ref.statement, action)
    ]


def granting_statements(
    sources: Iterable[PolicySource], action: str, pool: str
) -> list[StatementRef]:
    """The unconditional Allow statements that cover `action` on `pool`."""
    return [
        ref
        for ref in all_statements(sources)
        if not is_deny(ref.statement)
        and not condition_keys(ref.statement)
        and covers_action(ref.statement, action)
        and covers_resource(ref.statement, pool)
    ]
