"""The one local evaluator behind every IAM verdict the doctor reaches without
iam:SimulatePrincipalPolicy (iam.actions' fallback, iam.policy-file, iam.least-privilege):
IAM's policy evaluation logic over identity policies (IAM User Guide, "Policy evaluation
logic": an explicit Deny wins, then an Allow, otherwise the request is implicitly denied),
with Action/NotAction, Resource/NotResource, `*`/`?` wildcards matched part by part of the
ARN, policy variables (2012-10-17 documents only) and conditions evaluated against what is
known of the service's requests (:mod:`cognito_doctor.iam.context`). Where the verdict depends
on a value that is not known, it says so (`context_dependent`, `missing_context`): it never
guesses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cognito_doctor.iam.conditions import Tri, evaluate_condition
from cognito_doctor.iam.context import RequestContext, resolve
from cognito_doctor.iam.kinds import EvalDecision
from cognito_doctor.iam.matching import NO_CONTEXT, action_matches, resource_matches
from cognito_doctor.iam.policies import PolicySource, StatementRef, all_statements, is_deny

LOCAL_BLIND_SPOTS = (
    "service control policies (AWS Organizations), permissions boundaries and session policies"
)


def uses_variables(source: PolicySource) -> bool:
    """Whether `${…}` is a policy variable in this document (Version 2012-10-17 only)."""
    return source.document.get("Version") == "2012-10-17"


def _values(element: Any) -> list[str]:
    if isinstance(element, str):
        return [element]
    return [v for v in element if isinstance(v, str)] if isinstance(element, list) else []


def _covers_action(statement: Mapping[str, Any], action: str) -> bool:
    if "Action" in statement:
        return any(action_matches(p, action) for p in _values(statement["Action"]))
    return not any(action_matches(p, action) for p in _values(statement.get("NotAction")))


def _covers_resource(
    statement: Mapping[str, Any], resource: str, context: RequestContext, variables: bool
) -> Tri:
    negated = "Resource" not in statement
    entries = _values(statement.get("NotResource" if negated else "Resource"))
    results = [resource_matches(p, resource, context, variables=variables) for p in entries]
    hit: Tri = True if True in results else (None if None in results else False)
    return hit if hit is None or not negated else not hit


@dataclass(frozen=True)
class StatementVerdict:
    """Whether one statement applies to the request: True, False, or None (not known), and the
    keys that leave it open or make its condition false."""

    ref: StatementRef
    applies: Tri
    unknown_keys: tuple[str, ...] = ()
    failing_keys: tuple[str, ...] = ()
    condition_failed: bool = False


def judge_statement(
    ref: StatementRef, action: str, resource: str, context: RequestContext
) -> StatementVerdict | None:
    """The statement's verdict for `action` on `resource` (None: it doesn't name them)."""
    statement = ref.statement
    variables = uses_variables(ref.source)
    if not _covers_action(statement, action):
        return None
    covered = _covers_resource(statement, resource, context, variables)
    if covered is False:
        return None
    unknown: tuple[str, ...] = () if covered else _variable_keys(statement, context, variables)
    condition = statement.get("Condition")
    if not isinstance(condition, Mapping) or not condition:
        return StatementVerdict(ref, covered, unknown)
    result, open_keys, failing = evaluate_condition(condition, context, variables=variables)
    if result is False:
        return StatementVerdict(ref, False, (), failing, condition_failed=True)
    applies: Tri = None if (result is None or covered is None) else True
    return StatementVerdict(ref, applies, tuple(dict.fromkeys(unknown + open_keys)))


def _variable_keys(
    statement: Mapping[str, Any], context: RequestContext, variables: bool
) -> tuple[str, ...]:
    entries = _values(statement.get("Resource", statement.get("NotResource")))
    keys: list[str] = []
    for entry in entries:
        keys += resolve(entry, context, variables=variables)[1]
    return tuple(dict.fromkeys(keys))


@dataclass(frozen=True)
class LocalDecision:
    """The local evaluator's answer for one action on one resource. `decision` is the verdict
    when every open condition turns out false; `context_dependent` says another is possible."""

    decision: EvalDecision
    matched: tuple[StatementRef, ...] = ()
    conditional: tuple[StatementRef, ...] = ()
    missing_context: tuple[str, ...] = ()
    unmet: tuple[StatementVerdict, ...] = ()

    @property
    def context_dependent(self) -> bool:
        return bool(self.conditional)


def evaluate_locally(
    sources: Sequence[PolicySource],
    action: str,
    resource: str,
    context: RequestContext = NO_CONTEXT,
) -> LocalDecision:
    """IAM's evaluation logic over identity policies: an explicit Deny wins, then an Allow;
    otherwise implicitly denied. Statements whose application is not known are reported."""
    verdicts = [
        v
        for ref in all_statements(sources)
        if (v := judge_statement(ref, action, resource, context)) is not None
    ]
    denies = [v for v in verdicts if is_deny(v.ref.statement)]
    allows = [v for v in verdicts if not is_deny(v.ref.statement)]
    unmet = tuple(v for v in allows if v.condition_failed)
    sure_deny = [v.ref for v in denies if v.applies]
    if sure_deny:
        return LocalDecision(EvalDecision.EXPLICIT_DENY, tuple(sure_deny), unmet=unmet)
    open_denies = [v for v in denies if v.applies is None]
    sure_allow = [v.ref for v in allows if v.applies]
    open_allows = [] if sure_allow else [v for v in allows if v.applies is None]
    undecided = [v for v in verdicts if v in open_denies or v in open_allows]
    keys = tuple(dict.fromkeys(k for v in undecided for k in v.unknown_keys))
    conditional = tuple(v.ref for v in undecided)
    if sure_allow:
        return LocalDecision(EvalDecision.ALLOWED, tuple(sure_allow), conditional, keys, unmet)
    return LocalDecision(EvalDecision.IMPLICIT_DENY, (), conditional, keys, unmet)
