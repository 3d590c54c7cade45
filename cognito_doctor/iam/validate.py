"""IAM's rules for an identity policy document, checked before it is evaluated (IAM User
Guide, "IAM JSON policy element reference" and "IAM JSON policy grammar"): Version
`2012-10-17`, `2008-10-17` or absent; Statement an object or a list of them; Effect exactly
`Allow` or `Deny`; no Principal or NotPrincipal (identity policies have none); exactly one of
Action/NotAction and of Resource/NotResource, strings or non-empty lists of strings; Condition
an object of known operators, each an object of keys to values. An invalid document is refused
by IAM, so it is never evaluated."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cognito_doctor.iam.conditions import split_operator

VERSIONS = ("2012-10-17", "2008-10-17")
JsonPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Violation:
    """One broken rule, at a JSON path of the document."""

    path: JsonPath
    rule: str


def document_violations(document: Any) -> list[Violation]:
    """Every rule the document breaks (empty: IAM would accept it as an identity policy)."""
    if not isinstance(document, Mapping):
        return [Violation((), "a policy document is a JSON object")]
    found: list[Violation] = []
    if "Version" in document and document["Version"] not in VERSIONS:
        found.append(
            Violation(
                ("Version",),
                f'Version is {document["Version"]!r}; IAM accepts only "2012-10-17" or '
                '"2008-10-17"',
            )
        )
    statement = document.get("Statement")
    if isinstance(statement, Mapping):
        found += statement_violations(("Statement",), statement)
    elif isinstance(statement, list) and statement:
        for index, item in enumerate(statement):
            found += statement_violations(("Statement", index), item)
    else:
        found.append(
            Violation(("Statement",), "Statement must be a statement object or a non-empty list")
        )
    return found


def statement_violations(path: JsonPath, statement: Any) -> list[Violation]:
    """The rules one statement breaks."""
    if not isinstance(statement, Mapping):
        return [Violation(path, "each statement is a JSON object")]
    found: list[Violation] = []
    effect = statement.get("Effect")
    if effect not in ("Allow", "Deny"):
        found.append(
            Violation(
                (*path, "Effect"),
                f'Effect is {effect!r}: it must be exactly "Allow" or "Deny"'
                if "Effect" in statement
                else 'the statement has no Effect ("Allow" or "Deny")',
            )
        )
    for name in ("Principal", "NotPrincipal"):
        if name in statement:
            found.append(
                Violation(
                    (*path, name),
                    f"{name} has no place in an identity policy (it is for resource-based "
                    "and trust policies): the policy's principal is whoever it is attached to",
                )
            )
    found += _pair(path, statement, "Action", "NotAction")
    found += _pair(path, statement, "Resource", "NotResource")
    if "Condition" in statement:
        found += _condition(path, statement["Condition"])
    return found


def _pair(path: JsonPath, statement: Mapping[str, Any], one: str, other: str) -> list[Violation]:
    present = [name for name in (one, other) if name in statement]
    if len(present) == 2:
        return [Violation((*path, other), f"a statement has either {one} or {other}, not both")]
    if not present:
        return [Violation(path, f"the statement has neither {one} nor {other}")]
    name = present[0]
    value = statement[name]
    if isinstance(value, str) and value:
        return []
    if isinstance(value, list) and value and all(isinstance(v, str) and v for v in value):
        return []
    return [Violation((*path, name), f"{name} must be a string or a non-empty list of strings")]


def _condition(path: JsonPath, condition: Any) -> list[Violation]:
    where = (*path, "Condition")
    if not isinstance(condition, Mapping):
        return [
            Violation(where, "Condition must be an object of operators, each an object of keys")
        ]
    found: list[Violation] = []
    for operator, block in condition.items():
        if split_operator(str(operator)) is None:
            found.append(
                Violation((*where, operator), f"{operator!r} is not an IAM condition operator")
            )
        elif not isinstance(block, Mapping) or not block:
            found.append(
                Violation(
                    (*where, operator),
                    f"the {operator} condition must be an object of keys to values",
                )
            )
        else:
            for key, value in block.items():
                values = value if isinstance(value, list) else [value]
                if not values or not all(isinstance(v, str | bool | int | float) for v in values):
                    found.append(
                        Violation(
                            (*where, operator, key),
                            f"the value of {key} under {operator} must be a string or a "
                            "non-empty list of them",
                        )
                    )
    return found
