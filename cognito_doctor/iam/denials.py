"""Why an action is denied on the pool, in words a person can act on: an explicit Deny, the
permissions boundary, an SCP, a condition, the wrong Resource, or a missing action."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cognito_doctor.iam.actions import REQUIRED_ACTIONS
from cognito_doctor.iam.arns import Arn, compare_resource
from cognito_doctor.iam.evaluate import LOCAL_BLIND_SPOTS
from cognito_doctor.iam.fixes import compact_json
from cognito_doctor.iam.kinds import DenialKind, EvalDecision
from cognito_doctor.iam.policies import (
    PolicySource,
    StatementRef,
    all_statements,
    condition_keys,
    covers_action,
    covers_resource,
    element_values,
    is_deny,
    statements_naming,
)
from cognito_doctor.iam.principal import Principal
from cognito_doctor.iam.simulation import Decision, Simulation


@dataclass(frozen=True)
class Denial:
    """Why one action is denied, in words a person can act on.

    kind: explicit | boundary | scp | condition | resource | missing | no-policies |
    unreadable | unexplained. `statement` is the statement to change (the one that denies,
    or the closest one that was meant to allow).
    """

    action: str
    kind: DenialKind
    reason: str
    statement: StatementRef | None = None
    condition_keys: tuple[str, ...] = ()


def _resolve_matched(
    simulation: Simulation, decision: Decision, *, deny: bool
) -> list[StatementRef]:
    refs: list[StatementRef] = []
    for matched in decision.matched:
        if matched.ref is not None:
            refs.append(matched.ref)
            continue
        for source in simulation.policies.sources:
            if not source.is_source(matched.source_id, matched.source_type):
                continue
            for ref in all_statements([source]):
                statement = ref.statement
                if (
                    is_deny(statement) == deny
                    and covers_action(statement, decision.action)
                    and covers_resource(statement, simulation.pool_arn)
                ):
                    refs.append(ref)
    return list(dict.fromkeys(refs))


def _statement_resources(statement: Mapping[str, Any]) -> list[str]:
    return element_values(statement.get("Resource", []))


def explain_denial(simulation: Simulation, decision: Decision) -> Denial:
    """Why `decision` (not allowed) denies its action on the pool."""
    action = decision.action
    pool = simulation.pool
    if decision.decision is EvalDecision.EXPLICIT_DENY:
        if decision.allowed_by_organizations is False:
            # OrganizationsDecisionDetail: the explicit deny is in a service control policy.
            return Denial(
                action,
                DenialKind.SCP,
                f"explicitly denied by a service control policy (AWS Organizations) that "
                f"applies to account {pool.account}: no identity policy can override it, and "
                "only the organization's management account can change it",
            )
        return _explicit_denial(simulation, decision)
    if decision.allowed_by_boundary is False:
        return Denial(
            action,
            DenialKind.BOUNDARY,
            "denied by the permissions boundary"
            + _boundary_name(simulation.principal)
            + ": the identity policies may allow it, but the boundary does not",
        )
    if decision.allowed_by_organizations is False:
        return Denial(
            action,
            DenialKind.SCP,
            f"denied by a service control policy (AWS Organizations) that applies to account "
            f"{pool.account}: no identity policy can override it",
        )
    policies = simulation.policies
    if not policies.complete:
        return _unreadable_denial(simulation, decision)
    naming = statements_naming(policies.sources, action)
    if not naming:
        return _missing_denial(simulation, action)
    covering = [ref for ref in naming if covers_resource(ref.statement, str(pool))]
    if covering:
        return _covering_denial(simulation, decision, covering)
    return _resource_denial(action, naming, pool)


def _explicit_denial(simulation: Simulation, decision: Decision) -> Denial:
    """An explicit deny: the Deny statements that match, or the policies the simulator named."""
    action = decision.action
    refs = _resolve_matched(simulation, decision, deny=True)
    if refs:
        names = "; ".join(ref.label for ref in refs)
        return Denial(action, DenialKind.EXPLICIT, f"explicitly denied by {names}", refs[0])
    ids = ", ".join(
        f"{m.source_type or 'policy'} {m.source_id}" + (f" (line {m.line})" if m.line else "")
        for m in decision.matched
    )
    if decision.allowed_by_boundary is False and not ids:
        return Denial(
            action,
            DenialKind.BOUNDARY,
            "explicitly denied by the permissions boundary" + _boundary_name(simulation.principal),
        )
    return Denial(
        action, DenialKind.EXPLICIT, f"explicitly denied by a Deny statement in {ids or 'a policy'}"
    )


def _unreadable_denial(simulation: Simulation, decision: Decision) -> Denial:
    """A deny the operator can't explain, because it couldn't read the policies."""
    policies = simulation.policies
    keys = (
        f"; the simulation could not evaluate the condition keys "
        f"{', '.join(decision.missing_context)}"
        if decision.missing_context
        else ""
    )
    return Denial(
        decision.action,
        DenialKind.UNREADABLE,
        f"no statement of the principal's policies allows this on the pool{keys}; the "
        f"operator couldn't read the policies to say which part is wrong "
        f"({policies.problem})",
        condition_keys=decision.missing_context,
    )


def _missing_denial(simulation: Simulation, action: str) -> Denial:
    """No statement names the action: no policies at all, or the action missing from them."""
    policies = simulation.policies
    if not policies.sources:
        return Denial(
            action,
            DenialKind.NO_POLICIES,
            f"the {simulation.principal.label} has no identity policies",
        )
    closest = _closest_grant(policies.sources, simulation.pool)
    return Denial(
        action,
        DenialKind.MISSING,
        f"missing from every statement of the {simulation.principal.label}'s "
        f"{_count(len(policies.sources), 'policy', 'policies')}",
        closest,
    )


def _covering_denial(
    simulation: Simulation, decision: Decision, covering: Sequence[StatementRef]
) -> Denial:
    """Statements allow the action on the pool, yet it is denied: a condition, or unexplained."""
    action = decision.action
    conditional = [ref for ref in covering if condition_keys(ref.statement)]
    if conditional and simulation.local and not decision.missing_context:
        # The evaluator knew every value the condition tests, and it does not hold.
        ref = conditional[0]
        return Denial(
            action,
            DenialKind.CONDITION_UNMET,
            f"{ref.label} allows this only when its condition on "
            f"{', '.join(condition_keys(ref.statement))} holds, and it does not for the "
            "service's calls",
            ref,
            tuple(condition_keys(ref.statement)),
        )
    if conditional:
        ref = conditional[0]
        tested = tuple(
            dict.fromkeys(condition_keys(ref.statement) + list(decision.missing_context))
        )
        return Denial(
            action,
            DenialKind.CONDITION,
            f"{ref.label} allows this only when its condition on {', '.join(tested)} holds, "
            f"which the {'local evaluation' if simulation.local else 'simulation'} cannot "
            "evaluate",
            ref,
            tested,
        )
    return Denial(
        action,
        DenialKind.UNEXPLAINED,
        f"{covering[0].label} allows this on the pool, yet the result is a deny: something "
        f"the identity policies don't show denies it ({LOCAL_BLIND_SPOTS})",
        covering[0],
    )


def _resource_denial(action: str, naming: Sequence[StatementRef], pool: Arn) -> Denial:
    """The statement naming the action whose Resource comes closest to the pool, and why not."""
    best: tuple[int, StatementRef, str] | None = None
    for ref in naming:
        statement = ref.statement
        if "NotResource" in statement:
            why = (
                f"{ref.label} excludes the pool with NotResource "
                f"{compact_json(statement['NotResource'])}"
            )
            candidate = (1, ref, why)
        else:
            resources = _statement_resources(statement)
            if not resources:
                candidate = (9, ref, f"{ref.label} has no Resource")
            else:
                comparisons = [compare_resource(p, pool) for p in resources]
                nearest = min(comparisons, key=lambda c: len(c.differences))
                why = f"{ref.label} has Resource {nearest.pattern}, but " + "; ".join(
                    nearest.differences
                )
                candidate = (len(nearest.differences), ref, why)
        if best is None or candidate[0] < best[0]:
            best = candidate
    assert best is not None
    return Denial(action, DenialKind.RESOURCE, best[2], best[1])


def _closest_grant(sources: Sequence[PolicySource], pool: Arn) -> StatementRef | None:
    """The Allow statement that grants the most required actions on this pool (or, failing
    that, names the most): the one to add a missing action to."""
    best: tuple[int, int, StatementRef] | None = None
    for ref in all_statements(sources):
        statement = ref.statement
        if is_deny(statement) or "Action" not in statement:
            continue
        named = sum(covers_action(statement, a) for a in REQUIRED_ACTIONS)
        if not named:
            continue
        on_pool = int(covers_resource(statement, str(pool)))
        key = (on_pool, named, ref)
        if best is None or key[:2] > best[:2]:
            best = key
    return best[2] if best else None


def _boundary_name(principal: Principal) -> str:
    return f" {principal.permissions_boundary}" if principal.permissions_boundary else ""


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"
