"""iam.policy-file decided by the one evaluator (issue 12): no confident pass on a policy that
denies one of the six or is invalid, no failure of a valid policy that grants them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cognito_doctor.demo.sandbox import write_env_file
from cognito_doctor.engine.model import Report, Status
from cognito_doctor.iam.context import service_context
from cognito_doctor.iam.evaluate import evaluate_locally
from cognito_doctor.iam.kinds import EvalDecision, OwnerKind, PolicyKind
from cognito_doctor.iam.policies import PolicySource
from cognito_doctor.platform.envfiles import AUTH_ENV, UM_ENV
from tests.support.moto_iam import SIX, outcome, status
from tests.unit.test_iam_policy_file import POOL_ID, REGION, check_file

Run = Callable[..., Report]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    common = {"COGNITO_USER_POOL_ID": POOL_ID, "COGNITO_REGION": REGION}
    write_env_file(tmp_path / UM_ENV, {"COGNITO_PROVIDER": "cognito", **common})
    write_env_file(tmp_path / AUTH_ENV, common)
    return tmp_path


ACCOUNT = "123456789012"
POOL = f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/{POOL_ID}"


def grant(**more: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": list(SIX), "Resource": POOL, **more}


def policy(*statements: dict[str, Any], version: str | None = "2012-10-17") -> str:
    document: dict[str, Any] = {"Statement": list(statements)}
    if version:
        document["Version"] = version
    return json.dumps(document, indent=2)


def verdict(run_report: Run, root: Path, text: str) -> tuple[Status, str]:
    report = check_file(run_report, root, text)
    return status(report, "iam.policy-file"), outcome(report, "iam.policy-file").message


MFA = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (policy(grant(Condition=MFA)), "condition on aws:MultiFactorAuthPresent"),
        (policy(grant(Effect="Alow")), 'exactly "Allow" or "Deny"'),
        (policy(grant(Resource=[])), "Resource must be a string or a non-empty list"),
        (policy(grant(Principal={"AWS": "*"})), "Principal has no place in an identity policy"),
        (policy(grant(NotAction="s3:*")), "either Action or NotAction, not both"),
        (policy(grant(Condition="aws:SecureTransport")), "Condition must be an object"),
        (
            policy(
                grant(Action=list(SIX[:3])),
                grant(Action=list(SIX[3:]), Resource=POOL.replace(ACCOUNT, "210987654321")),
            ),
            "the policy names account 210987654321",
        ),
        (policy(grant(), version="2012-10-18"), "IAM accepts only"),
    ],
    ids=[
        "mfa",
        "alow",
        "empty-resource",
        "principal",
        "both-actions",
        "string-condition",
        "two-accounts",
        "version",
    ],
)
def test_policies_that_grant_less_than_the_six_or_are_invalid_fail(
    root: Path,
    run_report: Run,
    text: str,
    said: str,
) -> None:
    found, message = verdict(run_report, root, text)
    assert found is Status.FAIL, message
    assert said in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (policy(grant(Resource="*")), Status.WARN),
        (policy(grant(Resource=POOL.replace(ACCOUNT, "*"))), Status.WARN),
        (policy(grant(Resource=None) | {"NotResource": "arn:aws:s3:::*"}), Status.WARN),
        (policy(grant(Resource=[POOL, "arn:aws:s3:::bucket/*"])), Status.PASS),
        (
            policy(
                grant(),
                {
                    "Effect": "Deny",
                    "Action": "*",
                    "Resource": "*",
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                },
            ),
            Status.PASS,
        ),
    ],
    ids=["star", "wildcard-account", "not-resource", "extra-entry", "secure-transport-deny"],
)
def test_valid_policies_that_grant_the_six_do_not_fail(
    root: Path,
    run_report: Run,
    text: str,
    expected: Status,
) -> None:
    document = json.loads(text)
    for statement in document["Statement"]:
        if statement.get("Resource", "") is None:
            del statement["Resource"]
    found, message = verdict(run_report, root, json.dumps(document, indent=2))
    assert found is expected, message


def test_a_condition_on_an_unknown_key_warns_naming_key_and_statement(
    root: Path,
    run_report: Run,
) -> None:
    text = policy(grant(Sid="OfficeOnly", Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))
    found, message = verdict(run_report, root, text)
    assert found is Status.WARN, message
    assert 'aws:SourceIp in statement "OfficeOnly"' in message


def _source(document: dict[str, Any]) -> PolicySource:
    return PolicySource(PolicyKind.INLINE, OwnerKind.USER, "svc", "p", document)


def test_policy_variables_are_substituted_and_literal_in_2008_documents() -> None:
    statement = grant(
        Resource=f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/${{aws:PrincipalTag/pool}}"
    )
    tagged = service_context(region=REGION, principal_kind="user", tags={"pool": POOL_ID})
    untagged = service_context(region=REGION, principal_kind="user")
    new = _source({"Version": "2012-10-17", "Statement": [statement]})
    old = _source({"Version": "2008-10-17", "Statement": [statement]})
    assert evaluate_locally([new], SIX[0], POOL, tagged).decision is EvalDecision.ALLOWED
    open_verdict = evaluate_locally([new], SIX[0], POOL, untagged)
    assert open_verdict.context_dependent
    assert open_verdict.missing_context == ("aws:PrincipalTag/pool",)
    assert evaluate_locally([old], SIX[0], POOL, tagged).decision is EvalDecision.IMPLICIT_DENY
    assert not evaluate_locally([old], SIX[0], POOL, tagged).context_dependent


def test_a_risky_grant_behind_a_condition_that_always_holds_is_allowed() -> None:
    statement = {
        "Effect": "Allow",
        "Action": "cognito-idp:*",
        "Resource": "*",
        "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}},
    }
    source = _source({"Version": "2012-10-17", "Statement": [statement]})
    context = service_context(region=REGION, principal_kind="user")
    result = evaluate_locally([source], "cognito-idp:DeleteUserPool", POOL, context)
    assert result.decision is EvalDecision.ALLOWED
    assert not result.context_dependent


def test_an_scp_explicit_deny_is_named_as_an_scp_not_a_statement_to_remove() -> None:
    from cognito_doctor.iam import decision_from_result, explain_denial
    from cognito_doctor.iam.arns import Arn
    from cognito_doctor.iam.kinds import DenialKind, Method
    from cognito_doctor.iam.principal import PolicySet, Principal
    from cognito_doctor.iam.simulation import Simulation

    # An EvaluationResult as botocore's model shapes it (OrganizationsDecisionDetail).
    result = {
        "EvalActionName": SIX[0],
        "EvalResourceName": POOL,
        "EvalDecision": "explicitDeny",
        "MatchedStatements": [],
        "MissingContextValues": [],
        "OrganizationsDecisionDetail": {"AllowedByOrganizations": False},
    }
    principal = Principal(
        f"arn:aws:iam::{ACCOUNT}:user/svc", "user", "svc", ACCOUNT, "aws", "t", "t"
    )
    pool = Arn.parse(POOL)
    assert pool is not None
    sim = Simulation(principal, pool, Method.SIMULATION, {}, PolicySet(principal))
    denial = explain_denial(sim, decision_from_result(result, POOL))
    assert denial.kind is DenialKind.SCP
    assert "service control policy" in denial.reason
    assert "management account" in denial.reason
