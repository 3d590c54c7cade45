"""The local policy evaluator the product falls back on when the operator may not call
iam:SimulatePrincipalPolicy: IAM's evaluation logic over identity policies only. Conditions
are reported, never guessed: a statement with a Condition is treated as not applying and its
keys are listed, as the simulator does for context values it is not given."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cognito_doctor.iam.policies import (
    PolicySource,
    StatementRef,
    all_statements,
    condition_keys,
    covers_action,
    covers_resource,
    is_deny,
)

LOCAL_BLIND_SPOTS = (
    "service control policies (AWS Organizations), permissions boundaries and session policies"
)


@dataclass(frozen=True)
class LocalDecision:
    """The local evaluator's answer for one action on one resource."""

    decision: str  # allowed | implicitDeny | explicitDeny
    matched: tuple[StatementRef, ...] = ()
    conditional: tuple[StatementRef, ...] = ()
    missing_context: tuple[str, ...] = ()


def evaluate_locally(sources: Sequence[PolicySource], action: str, resource: str) -> LocalDecision:
    """IAM's evaluation logic over identity policies only: an explicit Deny wins, then an
    Allow; otherwise implicitly denied. A statement with a Condition is not guessed at: it is
    treated as not applying and its keys are returned as missing context values."""
    allows: list[StatementRef] = []
    denies: list[StatementRef] = []
    conditional: list[StatementRef] = []
    missing: list[str] = []
    for ref in all_statements(sources):
        statement = ref.statement
        if not covers_action(statement, action) or not covers_resource(statement, resource):
            continue
        keys = condition_keys(statement)
        if keys:
            conditional.append(ref)
            missing.extend(keys)
            continue
        (denies if is_deny(statement) else allows).append(ref)
    missing_context = tuple(dict.fromkeys(missing))
    if denies:
        return LocalDecision("explicitDeny", tuple(denies), tuple(conditional), missing_context)
    if allows:
        return LocalDecision("allowed", tuple(allows), tuple(conditional), missing_context)
    return LocalDecision("implicitDeny", (), tuple(conditional), missing_context)
