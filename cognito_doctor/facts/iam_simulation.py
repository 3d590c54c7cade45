"""The required and risky actions' verdicts on the pool (the `iam_simulation_call` and
`iam_simulation` facts): iam:SimulatePrincipalPolicy's, or, when the operator may not call
it, the local evaluator's over the identity policies.

The healthy path takes two requests in a row: sts:GetCallerIdentity gives the ARN, and one
SimulatePrincipalPolicy call (the required and the risky actions together) judges it, while
iam:GetUser / iam:GetRole confirms the principal. The policy documents are read only when
there is something to explain: a denied required action, an allowed risky one, a condition
the simulator could not evaluate, or a simulator the operator may not call."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cognito_doctor.aws.failure import ACCESS_DENIED, AwsError, ErrorKind
from cognito_doctor.engine.model import FactUnavailable, Status
from cognito_doctor.engine.registry import fact
from cognito_doctor.facts.context import CheckContext
from cognito_doctor.facts.iam_policies import permissions_to_read, read_policy_set
from cognito_doctor.facts.iam_principal import skip_for
from cognito_doctor.facts.identity import keys_in
from cognito_doctor.facts.records import IdentityLookup
from cognito_doctor.iam.actions import REQUIRED_ACTIONS, RISKY_ACTIONS
from cognito_doctor.iam.arns import Arn, parse_principal
from cognito_doctor.iam.context import RequestContext, service_context
from cognito_doctor.iam.evaluate import LocalDecision, evaluate_locally
from cognito_doctor.iam.kinds import EvalDecision, Method
from cognito_doctor.iam.principal import PolicySet, Principal
from cognito_doctor.iam.simulation import (
    Decision,
    Simulation,
    decision_from_result,
    local_decisions,
)
from cognito_doctor.platform.envfiles import EnvFiles
from cognito_doctor.platform.target import PoolRef

MAX_SIMULATION_PAGES = 50


def simulate(iam: Any, principal_arn: str, actions: Sequence[str], resource: str) -> list[Decision]:
    """iam:SimulatePrincipalPolicy for `actions` on `resource`, every page (botocore's
    paginator follows IsTruncated/Marker), at most MAX_SIMULATION_PAGES of them."""
    decisions: list[Decision] = []
    pages = iam.get_paginator("simulate_principal_policy").paginate(
        PolicySourceArn=principal_arn, ActionNames=list(actions), ResourceArns=[resource]
    )
    for number, page in enumerate(pages, 1):
        results = page.get("EvaluationResults", [])
        unreadable = next((r for r in results if not _readable(r)), None)
        if unreadable is not None:
            # EvalActionName and EvalDecision are required members of an EvaluationResult, and
            # a decision is one of PolicyEvaluationDecisionType's three (botocore's iam model):
            # anything else is not AWS's answer, and a missing decision is no "implicitDeny".
            raise AwsError(
                ErrorKind.CLIENT_FAILED,
                "the answer to iam:SimulatePrincipalPolicy has a result without a decision "
                f"it can read ({_shown(unreadable)}): an empty, partial or garbled answer",
            )
        decisions += [decision_from_result(r, resource) for r in results]
        if number == MAX_SIMULATION_PAGES:
            break
    return decisions


_DECISIONS = frozenset(d.value for d in EvalDecision)


def _readable(result: Mapping[str, Any]) -> bool:
    """Whether an EvaluationResult names its action and a decision IAM gives (and so does
    each of its ResourceSpecificResults)."""
    specific = result.get("ResourceSpecificResults") or []
    return (
        bool(result.get("EvalActionName"))
        and result.get("EvalDecision") in _DECISIONS
        and all(r.get("EvalResourceDecision") in _DECISIONS for r in specific)
    )


def _shown(result: Mapping[str, Any]) -> str:
    action = str(result.get("EvalActionName") or "no action")[:80]
    return f"{action}: EvalDecision {str(result.get('EvalDecision'))[:40]!r}"


# What an endpoint that has no iam:SimulatePrincipalPolicy answers (an emulator, a proxy).
NOT_IMPLEMENTED = frozenset(
    {"InvalidAction", "NotImplemented", "UnknownOperationException", "UnsupportedOperation"}
)


def not_implemented(exc: AwsError) -> bool:
    """Whether an endpoint answered that it has no iam:SimulatePrincipalPolicy: an error code
    that says so, HTTP 501 or 404, or an answer botocore could not parse as AWS's (an emulator's
    HTML error page: botocore's ResponseParserError, "Unable to parse response")."""
    if exc.code in NOT_IMPLEMENTED or exc.http_status in (404, 501):
        return True
    match exc.kind:
        case ErrorKind.CLIENT_FAILED:
            return "Unable to parse response" in exc.message
        case ErrorKind.OTHER_ANSWER:
            return exc.code is None or exc.message.lstrip().startswith("<")
        case _:
            return False


@dataclass(frozen=True)
class SimulationCall:
    """iam:SimulatePrincipalPolicy's decisions on the pool, or why it could not be called."""

    pool: Arn
    decisions: Mapping[str, Decision] | None
    principal_arn: str = ""  # the ARN simulated
    problem: str | None = None
    code: str | None = None
    fix: str = ""
    # True when the operator may not (or the endpoint cannot) simulate: then the policies are
    # evaluated locally. Any other failure (throttling, a 5xx, the network) is an error.
    refused: bool = False


def _pool_of(principal: Principal, pool_ref: PoolRef) -> Arn:
    return Arn(
        principal.partition,
        "cognito-idp",
        pool_ref.region,
        principal.account,
        f"userpool/{pool_ref.pool_id}",
    )


@fact("iam_simulation_call", network=True)
def iam_simulation_call(
    ctx: CheckContext,
    env_files: EnvFiles,
    pool_ref: PoolRef,
    service_identity: IdentityLookup | None,
) -> SimulationCall | None:
    """iam:SimulatePrincipalPolicy for the required and risky actions on the pool's ARN, in
    one call, made as soon as the principal's ARN is known (--principal-arn, or what
    sts:GetCallerIdentity said of the service's keys), while iam:GetUser / iam:GetRole
    confirms it; None when that ARN can't be simulated as it is (an assumed-role session:
    its role's path comes from iam:GetRole)."""
    given = ctx.config.principal_arn
    if not given and keys_in(env_files) is not None and service_identity is not None:
        given = (service_identity.identity or {}).get("Arn")
    parsed = parse_principal(given) if given else None
    if given is None or parsed is None or parsed.kind not in ("user", "role"):
        return None
    arn = parsed.arn
    pool = Arn(
        arn.partition, "cognito-idp", pool_ref.region, arn.account, f"userpool/{pool_ref.pool_id}"
    )
    return _simulation_call(ctx, given.strip(), pool, pool_ref.region)


def _simulation_call(
    ctx: CheckContext, principal_arn: str, pool: Arn, region: str
) -> SimulationCall:
    actions = (*REQUIRED_ACTIONS, *RISKY_ACTIONS)
    iam = ctx.aws.operator("iam", region)
    try:
        found = {d.action: d for d in simulate(iam, principal_arn, actions, str(pool))}
    except AwsError as exc:
        message, fix = exc.explain(action="iam:SimulatePrincipalPolicy")
        if not_implemented(exc):
            message = (
                "the endpoint does not implement iam:SimulatePrincipalPolicy ("
                + (f"HTTP {exc.http_status}" if exc.http_status else "its answer is not AWS's")
                + (f", {exc.code}" if exc.code else "")
                + ")"
            )
            return SimulationCall(pool, None, principal_arn, message, exc.code, fix, True)
        refused = exc.code in ACCESS_DENIED
        return SimulationCall(pool, None, principal_arn, message, exc.code, fix, refused)
    return SimulationCall(pool, found, principal_arn)


def _to_explain(call: SimulationCall) -> bool:
    """Whether the verdicts need the policy documents: the simulator refused (evaluate them
    locally), or a verdict needs its statements named."""
    if call.decisions is None:
        return call.refused
    for action in REQUIRED_ACTIONS:
        decision = call.decisions.get(action)
        if decision is None or not decision.allowed or decision.missing_context:
            return True
    return any(
        call.decisions[a].allowed or call.decisions[a].missing_context
        for a in RISKY_ACTIONS
        if a in call.decisions
    )


@fact("iam_simulation", network=True)
def iam_simulation(
    ctx: CheckContext,
    iam_principal: Principal,
    pool_ref: PoolRef,
    iam_simulation_call: SimulationCall | None,
) -> Simulation:
    """The required and risky actions' verdicts on the pool's ARN: the simulator's, or,
    when the operator may not call iam:SimulatePrincipalPolicy, evaluated locally from the
    identity policies (read only when a verdict needs them)."""
    principal = iam_principal
    if principal.problem:
        raise skip_for(principal)
    call = iam_simulation_call
    if call is None or call.principal_arn != principal.arn:
        # IAM knows the principal under another ARN (a path, a session's role): judge that.
        call = _simulation_call(ctx, principal.arn, _pool_of(principal, pool_ref), pool_ref.region)
    pool = call.pool
    if _to_explain(call):
        iam_policies = read_policy_set(ctx, principal, pool_ref)
    else:
        iam_policies = PolicySet(principal, (), None, permissions_to_read(principal))
    actions = (*REQUIRED_ACTIONS, *RISKY_ACTIONS)
    if call.decisions is None:
        reason = call.problem or "iam:SimulatePrincipalPolicy failed"
        if call.code == "NoSuchEntity":
            raise FactUnavailable(
                Status.ERROR,
                f"iam:SimulatePrincipalPolicy does not know the principal {principal.arn}",
                "Pass the principal's exact ARN, path included (--principal-arn).",
            )
        if not call.refused:
            raise FactUnavailable(Status.ERROR, reason, call.fix)
        if not iam_policies.complete:
            permissions = ", ".join(iam_policies.needed)
            raise FactUnavailable(
                Status.ERROR,
                f"{reason}, and {iam_policies.problem}: the operator can neither simulate nor "
                f"read the {principal.label}'s policies",
                f"Grant the operator iam:SimulatePrincipalPolicy on {principal.arn} (best: it "
                f"also sees SCPs and boundaries), or, to evaluate locally, {permissions}; "
                "or run with --profile NAME for credentials that have them.",
            )
        context = principal_context(principal, pool_ref_region(pool))
        decisions = local_decisions(iam_policies.sources, actions, str(pool), context)
        return Simulation(principal, pool, Method.LOCAL, decisions, iam_policies, reason)
    found = call.decisions
    missing = [a for a in REQUIRED_ACTIONS if a not in found]
    if missing:
        raise FactUnavailable(
            Status.ERROR,
            f"iam:SimulatePrincipalPolicy returned no result for {', '.join(missing)}",
            "Run again; if it persists, run with -v and report it.",
        )
    view: dict[str, LocalDecision] = {}
    if iam_policies.complete:
        context = principal_context(principal, pool_ref_region(pool))
        view = {
            a: evaluate_locally(iam_policies.sources, a, str(pool), context) for a in RISKY_ACTIONS
        }
    return Simulation(principal, pool, Method.SIMULATION, found, iam_policies, local_view=view)


def pool_ref_region(pool: Arn) -> str:
    return pool.region


def principal_context(principal: Principal, region: str) -> RequestContext:
    """What is known of the service's calls to Cognito as `principal` in `region`."""
    return service_context(
        region=region,
        principal_kind=principal.kind,
        principal_name=principal.name,
        principal_arn=principal.arn,
        tags=principal.tags,
    )
