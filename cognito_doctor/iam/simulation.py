"""What iam:SimulatePrincipalPolicy (or the local evaluator in its place) decided per action."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cognito_doctor.iam.arns import Arn
from cognito_doctor.iam.context import RequestContext
from cognito_doctor.iam.evaluate import LocalDecision, evaluate_locally
from cognito_doctor.iam.kinds import EvalDecision, Method
from cognito_doctor.iam.matching import NO_CONTEXT
from cognito_doctor.iam.policies import PolicySource, StatementRef
from cognito_doctor.iam.principal import PolicySet, Principal


@dataclass(frozen=True)
class MatchedStatement:
    """A statement the simulator (or the local evaluator) says decided a result."""

    source_id: str
    source_type: str | None = None
    line: int | None = None
    ref: StatementRef | None = None


@dataclass(frozen=True)
class Decision:
    """The verdict for one action on the pool."""

    action: str
    decision: EvalDecision
    matched: tuple[MatchedStatement, ...] = ()
    missing_context: tuple[str, ...] = ()
    allowed_by_organizations: bool | None = None
    allowed_by_boundary: bool | None = None

    @property
    def allowed(self) -> bool:
        return self.decision is EvalDecision.ALLOWED


@dataclass(frozen=True)
class Simulation:
    """Every required and risky action's verdict on the pool, and how it was reached."""

    principal: Principal
    pool: Arn
    method: Method
    decisions: Mapping[str, Decision]
    policies: PolicySet
    fallback_reason: str | None = None
    # The local evaluator's verdicts with what is known of the service's requests (when the
    # policies could be read): iam.least-privilege's second opinion on the risky actions.
    local_view: Mapping[str, LocalDecision] = field(default_factory=dict)

    @property
    def pool_arn(self) -> str:
        return str(self.pool)

    @property
    def local(self) -> bool:
        return self.method is Method.LOCAL


def _matched(raw: Iterable[Mapping[str, Any]]) -> tuple[MatchedStatement, ...]:
    return tuple(
        MatchedStatement(
            str(item.get("SourcePolicyId", "")),
            item.get("SourcePolicyType"),
            (item.get("StartPosition") or {}).get("Line"),
        )
        for item in raw
    )


def decision_from_result(result: Mapping[str, Any], resource: str) -> Decision:
    """A Decision from one SimulatePrincipalPolicy EvaluationResult, preferring the entry in
    ResourceSpecificResults for `resource` over the top-level fields."""
    specific = next(
        (
            r
            for r in result.get("ResourceSpecificResults") or []
            if r.get("EvalResourceName") == resource
        ),
        None,
    )
    source: Mapping[str, Any] = result
    decision = EvalDecision.parse(str(result.get("EvalDecision", "implicitDeny")))
    if specific is not None:
        source = specific
        decision = EvalDecision.parse(str(specific.get("EvalResourceDecision", decision)))
    boundary = source.get("PermissionsBoundaryDecisionDetail") or result.get(
        "PermissionsBoundaryDecisionDetail"
    )
    organizations = result.get("OrganizationsDecisionDetail")
    missing = list(source.get("MissingContextValues") or [])
    if specific is not None:
        missing += [k for k in result.get("MissingContextValues") or [] if k not in missing]
    return Decision(
        str(result.get("EvalActionName", "")),
        decision,
        _matched(source.get("MatchedStatements") or result.get("MatchedStatements") or []),
        tuple(str(k) for k in missing),
        organizations.get("AllowedByOrganizations") if organizations else None,
        boundary.get("AllowedByPermissionsBoundary") if boundary else None,
    )


def local_decisions(
    sources: Sequence[PolicySource],
    actions: Iterable[str],
    resource: str,
    context: RequestContext = NO_CONTEXT,
) -> dict[str, Decision]:
    """Each action's Decision on `resource`, evaluated locally from the policies."""
    decisions = {}
    for action in actions:
        local = evaluate_locally(sources, action, resource, context)
        matched = tuple(
            MatchedStatement(ref.source.name, ref.source.kind, None, ref) for ref in local.matched
        )
        decisions[action] = Decision(action, local.decision, matched, local.missing_context)
    return decisions
