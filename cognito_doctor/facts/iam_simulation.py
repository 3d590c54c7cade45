"""The required and risky actions' verdicts on the pool (the `iam_simulation_call` and
`iam_simulation` facts): iam:SimulatePrincipalPolicy's, or, when the operator may not call
it, the local evaluator's over the identity policies."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cognito_doctor.aws.failure import ACCESS_DENIED, AwsError, ErrorKind
from cognito_doctor.engine.model import FactUnavailable, Status
from cognito_doctor.engine.registry import fact
from cognito_doctor.facts.context import CheckContext
from cognito_doctor.facts.iam_principal import skip_for
from cognito_doctor.iam.actions import REQUIRED_ACTIONS, RISKY_ACTIONS
from cognito_doctor.iam.arns import Arn
from cognito_doctor.iam.context import RequestContext, service_context
from cognito_doctor.iam.evaluate import LocalDecision, evaluate_locally
from cognito_doctor.iam.kinds import Method
from cognito_doctor.iam.principal import PolicySet, Principal
from cognito_doctor.iam.simulation import (
    Decision,
    Simulation,
    decision_from_result,
    local_decisions,
)
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
        decisions += [decision_from_result(r, resource) for r in page.get("EvaluationResults", [])]
        if number == MAX_SIMULATION_PAGES:
            break
    return decisions


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
    ctx: CheckContext, iam_principal: Principal, pool_ref: PoolRef
) -> SimulationCall:
    """iam:SimulatePrincipalPolicy for the required and risky actions on the pool's ARN (made
    while the principal's policies are read, not after)."""
    if iam_principal.problem:
        raise skip_for(iam_principal)
    pool = _pool_of(iam_principal, pool_ref)
    actions = (*REQUIRED_ACTIONS, *RISKY_ACTIONS)
    iam = ctx.aws.operator("iam", pool_ref.region)
    try:
        found = {d.action: d for d in simulate(iam, iam_principal.arn, actions, str(pool))}
    except AwsError as exc:
        message, fix = exc.explain(action="iam:SimulatePrincipalPolicy")
        if not_implemented(exc):
            message = (
                "the endpoint does not implement iam:SimulatePrincipalPolicy ("
                + (f"HTTP {exc.http_status}" if exc.http_status else "its answer is not AWS's")
                + (f", {exc.code}" if exc.code else "")
                + ")"
            )
            return SimulationCall(pool, None, message, exc.code, fix, True)
        return SimulationCall(pool, None, message, exc.code, fix, exc.code in ACCESS_DENIED)
    return SimulationCall(pool, found)


@fact("iam_simulation")
def iam_simulation(
    ctx: CheckContext,
    iam_principal: Principal,
    iam_policies: PolicySet,
    iam_simulation_call: SimulationCall,
) -> Simulation:
    """The required and risky actions' verdicts on the pool's ARN: the simulator's, or,
    when the operator may not call iam:SimulatePrincipalPolicy, evaluated locally from the
    identity policies."""
    principal = iam_principal
    call = iam_simulation_call
    pool = call.pool
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
