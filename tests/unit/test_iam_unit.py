"""The IAM building blocks on their own: ARN comparison, the local evaluator, corrected
statements, principal ARNs, JSON line numbers, and reading simulator results."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cognito_doctor.checks.iam import actions, least_privilege
from cognito_doctor.iam import (
    REQUIRED_ACTIONS,
    RISKY_ACTIONS,
    Arn,
    PolicySet,
    PolicySource,
    Principal,
    Probe,
    Simulation,
    compare_resource,
    corrected_statement,
    decision_from_result,
    evaluate_locally,
    json_lines,
    local_decisions,
    parse_principal,
    placeholders_in,
)
from cognito_doctor.platform.settings import RunConfig

POOL = Arn("aws", "cognito-idp", "eu-west-2", "123456789012", "userpool/eu-west-2_Q7wErTy12")
POOL_ARN = str(POOL)

SETTINGS = RunConfig(Path("."))


def source(*statements: dict[str, Any], name: str = "p") -> PolicySource:
    return PolicySource(
        "inline", "user", "svc", name, {"Version": "2012-10-17", "Statement": list(statements)}
    )


# --- comparing a Resource with the pool's ARN -------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (
            "arn:aws:cognito-idp:us-east-1:123456789012:userpool/eu-west-2_Q7wErTy12",
            "the policy names region us-east-1, the pool is in eu-west-2",
        ),
        (
            "arn:aws:cognito-idp:eu-west-2:111122223333:userpool/eu-west-2_Q7wErTy12",
            "the policy names account 111122223333, the pool's account is 123456789012",
        ),
        (
            "arn:aws:cognito-idp:eu-west-2:123456789012:userpool/eu-west-2_Other1",
            "the policy names pool id eu-west-2_Other1, the pool is eu-west-2_Q7wErTy12",
        ),
        (
            "arn:aws:cognito-idp:eu-west-2:123456789012:userpool/eu-west-2_q7wertY12",
            "they differ only in letter case; pool ids are case-sensitive",
        ),
        (
            "arn:aws:cognito-idp:eu-west-2:123456789012:userpool/eu-west-2_AbCdEf123",
            "the runbook's example pool id eu-west-2_AbCdEf123",
        ),
        (
            "arn:aws-cn:cognito-idp:eu-west-2:123456789012:userpool/eu-west-2_Q7wErTy12",
            "the policy names partition aws-cn, the pool is in partition aws",
        ),
        (
            "arn:aws:cognito-identity:eu-west-2:123456789012:userpool/eu-west-2_Q7wErTy12",
            "the policy names service cognito-identity (that is Cognito identity pools, not "
            "user pools), a user pool's is cognito-idp",
        ),
        (
            "arn:aws:cognito-idp:eu-west-2:123456789012:userpools/eu-west-2_Q7wErTy12",
            "the policy names resource type userpools, a user pool's is userpool",
        ),
        ("eu-west-2_Q7wErTy12", "is not an ARN"),
    ],
)
def test_each_differing_part_is_named(pattern: str, expected: str) -> None:
    comparison = compare_resource(pattern, POOL)
    assert not comparison.matches
    assert any(expected in d for d in comparison.differences), comparison.differences


def test_placeholders_are_named_with_the_value_that_belongs_there() -> None:
    comparison = compare_resource(
        "arn:aws:cognito-idp:<REGION>:<ACCOUNT_ID>:userpool/<USER_POOL_ID>", POOL
    )
    assert not comparison.matches
    assert comparison.placeholders == ("<REGION>", "<ACCOUNT_ID>", "<USER_POOL_ID>")
    assert comparison.differences == (
        "the placeholder <REGION> was never replaced (the region is eu-west-2)",
        "the placeholder <ACCOUNT_ID> was never replaced (the account is 123456789012)",
        "the placeholder <USER_POOL_ID> was never replaced (the pool id is eu-west-2_Q7wErTy12)",
    )


@pytest.mark.parametrize(
    "pattern",
    [
        POOL_ARN,
        "*",
        "arn:aws:cognito-idp:*:123456789012:userpool/*",
        "arn:aws:cognito-idp:eu-west-2:*",
    ],
)
def test_matching_resources_have_no_differences(pattern: str) -> None:
    comparison = compare_resource(pattern, POOL)
    assert comparison.matches and comparison.differences == ()


def test_offline_comparison_checks_the_account_only_for_shape() -> None:
    offline = Arn("aws", "cognito-idp", "eu-west-2", "<ACCOUNT_ID>", POOL.resource)
    good = compare_resource(
        POOL_ARN.replace("123456789012", "999988887777"), offline, check_account=False
    )
    assert good.matches
    bad = compare_resource(POOL_ARN.replace("123456789012", "12345"), offline, check_account=False)
    assert bad.differences == (
        "the policy names account 12345, which is not a 12-digit account id",
    )


def test_placeholder_detection_leaves_iam_policy_variables_alone() -> None:
    assert placeholders_in("arn:aws:s3:::bucket/${aws:username}/*") == []
    assert placeholders_in("arn:aws:cognito-idp:{{region}}:…") == ["{{region}}", "…"]


# --- the local evaluator -----------------------------------------------------------------


def allow(action: Any, resource: Any = POOL_ARN, **more: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **more}


def test_allow_on_the_pool_allows_and_names_the_statement() -> None:
    result = evaluate_locally(
        [source(allow(list(REQUIRED_ACTIONS)))], REQUIRED_ACTIONS[0], POOL_ARN
    )
    assert result.decision == "allowed"
    assert [ref.label for ref in result.matched] == ['statement 1 of inline policy "p" of user svc']


def test_an_explicit_deny_wins_over_any_allow() -> None:
    deny = {
        "Sid": "NoDeletes",
        "Effect": "Deny",
        "Action": "cognito-idp:AdminDelete*",
        "Resource": "*",
    }
    result = evaluate_locally(
        [source(allow("cognito-idp:*")), source(deny, name="guard")],
        "cognito-idp:AdminDeleteUser",
        POOL_ARN,
    )
    assert result.decision == "explicitDeny"
    assert [ref.label for ref in result.matched] == [
        'statement "NoDeletes" of inline policy "guard" of user svc'
    ]


def test_wildcards_and_case_in_actions() -> None:
    sources = [source(allow("Cognito-IDP:admin*"))]
    assert evaluate_locally(sources, "cognito-idp:AdminGetUser", POOL_ARN).decision == "allowed"
    assert evaluate_locally(sources, "cognito-idp:ListUsers", POOL_ARN).decision == "implicitDeny"
    # Resources are case-sensitive.
    lower = [source(allow("cognito-idp:*", POOL_ARN.lower()))]
    assert evaluate_locally(lower, "cognito-idp:AdminGetUser", POOL_ARN).decision == "implicitDeny"


def test_not_action_and_not_resource() -> None:
    not_action = [source({"Effect": "Allow", "NotAction": "cognito-idp:Delete*", "Resource": "*"})]
    assert evaluate_locally(not_action, "cognito-idp:AdminGetUser", POOL_ARN).decision == "allowed"
    assert (
        evaluate_locally(not_action, "cognito-idp:DeleteUserPool", POOL_ARN).decision
        == "implicitDeny"
    )
    not_resource = [source({"Effect": "Allow", "Action": "cognito-idp:*", "NotResource": POOL_ARN})]
    assert (
        evaluate_locally(not_resource, "cognito-idp:AdminGetUser", POOL_ARN).decision
        == "implicitDeny"
    )
    other = POOL_ARN.replace("Q7wErTy12", "Other")
    assert evaluate_locally(not_resource, "cognito-idp:AdminGetUser", other).decision == "allowed"


def test_conditions_are_reported_not_guessed() -> None:
    conditional_allow = allow(
        list(REQUIRED_ACTIONS), Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}
    )
    conditional_deny = {
        "Effect": "Deny",
        "Action": "cognito-idp:*",
        "Resource": "*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    result = evaluate_locally(
        [source(conditional_allow, conditional_deny)], "cognito-idp:AdminGetUser", POOL_ARN
    )
    assert result.decision == "implicitDeny"
    assert result.missing_context == ("aws:SourceIp", "aws:SecureTransport")
    assert len(result.conditional) == 2


# --- corrected statements ----------------------------------------------------------------


def test_corrected_statement_fixes_the_arn_adds_missing_actions_keeps_the_rest() -> None:
    statement = {
        "Sid": "UserMgmt",
        "Effect": "Allow",
        "Action": list(REQUIRED_ACTIONS[:5]),
        "Resource": [
            "arn:aws:cognito-idp:<REGION>:<ACCOUNT_ID>:userpool/<USER_POOL_ID>",
            "arn:aws:s3:::reports/*",
        ],
        "Condition": {"Bool": {"aws:SecureTransport": "true"}},
    }
    fixed = corrected_statement(statement, POOL)
    assert fixed == {
        "Sid": "UserMgmt",
        "Effect": "Allow",
        "Action": list(REQUIRED_ACTIONS),
        "Resource": [POOL_ARN, "arn:aws:s3:::reports/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "true"}},
    }
    assert corrected_statement(None, POOL) == {
        "Effect": "Allow",
        "Action": list(REQUIRED_ACTIONS),
        "Resource": POOL_ARN,
    }


def test_corrected_statement_keeps_wildcard_actions_that_already_cover() -> None:
    fixed = corrected_statement(
        {
            "Effect": "Allow",
            "Action": "cognito-idp:Admin*",
            "Resource": "arn:aws:cognito-idp:us-east-1:123456789012:userpool/eu-west-2_Q7wErTy12",
        },
        POOL,
    )
    assert fixed["Action"] == ["cognito-idp:Admin*"]
    assert fixed["Resource"] == POOL_ARN


# --- principal ARNs ----------------------------------------------------------------------


def test_principal_arns() -> None:
    role = parse_principal("arn:aws:iam::123456789012:role/service-role/app/user-mgmt")
    assert role is not None and (role.kind, role.name, role.path) == (
        "role",
        "user-mgmt",
        "/service-role/app/",
    )
    session = parse_principal("arn:aws:sts::123456789012:assumed-role/user-mgmt/ecs-task-1")
    assert session is not None
    assert (session.kind, session.name, session.session) == (
        "assumed-role",
        "user-mgmt",
        "ecs-task-1",
    )
    user = parse_principal("arn:aws:iam::123456789012:user/clinical-platform-user-mgmt-dev")
    assert user is not None and (user.kind, user.path) == ("user", "/")
    root = parse_principal("arn:aws:iam::123456789012:root")
    assert root is not None and root.kind == "root"
    federated = parse_principal("arn:aws:sts::123456789012:federated-user/bob")
    assert federated is not None and federated.kind == "federated-user"
    assert parse_principal("arn:aws:iam::<ACCOUNT_ID>:role/x") is None
    assert parse_principal("user-mgmt") is None


# --- JSON lines ----------------------------------------------------------------------------


def test_json_lines_point_at_keys_and_items() -> None:
    text = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": ["a", "b"], "Resource": "r"}],
        },
        indent=2,
    )
    lines = json_lines(text)
    numbered = text.splitlines()
    assert '"Version"' in numbered[lines[("Version",)] - 1]
    assert '"Resource": "r"' in numbered[lines[("Statement", 0, "Resource")] - 1]
    assert '"b"' in numbered[lines[("Statement", 0, "Action", 1)] - 1]
    assert lines[()] == 1


# --- simulator results --------------------------------------------------------------------


def test_resource_specific_results_win_over_the_top_level() -> None:
    result = {
        "EvalActionName": "cognito-idp:AdminGetUser",
        # The ARN template AWS now reports at the top level, not the simulated resource.
        "EvalResourceName": "arn:${Partition}:cognito-idp:${Region}:${Account}:userpool/${Id}",
        "EvalDecision": "allowed",
        "OrganizationsDecisionDetail": {"AllowedByOrganizations": True},
        "ResourceSpecificResults": [
            {
                "EvalResourceName": POOL_ARN,
                "EvalResourceDecision": "implicitDeny",
                "MissingContextValues": ["aws:SourceIp"],
                "PermissionsBoundaryDecisionDetail": {"AllowedByPermissionsBoundary": False},
            }
        ],
    }
    decision = decision_from_result(result, POOL_ARN)
    assert decision.decision == "implicitDeny"
    assert decision.missing_context == ("aws:SourceIp",)
    assert decision.allowed_by_boundary is False
    assert decision.allowed_by_organizations is True


# --- the checks as pure functions of their facts -------------------------------------------


def test_an_aws_managed_grant_is_detached_not_edited() -> None:
    power_user = PolicySource(
        "managed",
        "user",
        "svc",
        "AmazonCognitoPowerUser",
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "cognito-idp:*", "Resource": "*"}],
        },
        "arn:aws:iam::aws:policy/AmazonCognitoPowerUser",
    )
    principal = Principal(
        "arn:aws:iam::123456789012:user/svc",
        "user",
        "svc",
        "123456789012",
        "aws",
        "test",
        "arn:aws:iam::123456789012:user/svc",
    )
    simulation = Simulation(
        principal,
        POOL,
        "local",
        local_decisions([power_user], [*REQUIRED_ACTIONS, *RISKY_ACTIONS], POOL_ARN),
        PolicySet(principal, (power_user,)),
        "the operator may not call iam:SimulatePrincipalPolicy (AccessDenied)",
    )
    assert actions(simulation, Probe(requested=False), SETTINGS).status.value == "pass"
    warning = least_privilege(simulation, SETTINGS)
    assert warning.status.value == "warn"
    assert "Detach the AWS managed policy AmazonCognitoPowerUser from user svc" in warning.fix
    assert warning.fix_command is None  # an AWS managed policy can't be edited
    assert 'AWS managed policy "AmazonCognitoPowerUser"' in warning.message
