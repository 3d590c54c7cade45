"""The iam checks against AWS-shaped responses that neither moto nor the sandbox's simulator
produce: service control policies (OrganizationsDecisionDetail), permissions boundaries
reported per resource (PermissionsBoundaryDecisionDetail), truncated pages (IsTruncated /
Marker), assumed-role principals whose role has a path, and explicit denies named only by
MatchedStatements. botocore's Stubber validates every response against the IAM model, and
fails the test on any call not queued here, so nothing can reach AWS.
"""

from __future__ import annotations

import datetime
import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import StubAssertionError, Stubber

from cognito_doctor.aws.calls import Client
from cognito_doctor.aws.clients import AwsAccess
from cognito_doctor.demo.sandbox import write_env_file
from cognito_doctor.engine.model import Report, Status
from cognito_doctor.iam import REQUIRED_ACTIONS, RISKY_ACTIONS
from cognito_doctor.platform.envfiles import AUTH_ENV, UM_ENV
from tests.conftest import report_text
from tests.support.moto_iam import SIX, iam_report, outcome, status

ACCOUNT = "111122223333"
REGION = "eu-west-2"
POOL_ID = "eu-west-2_Q7wErTy12"
POOL_ARN = f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/{POOL_ID}"
USER = "clinical-platform-user-mgmt-dev"
USER_ARN = f"arn:aws:iam::{ACCOUNT}:user/{USER}"
KEY_ID = "AKIAZ7EXAMPLE3QX4W2M"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"
ALL_ACTIONS = [*REQUIRED_ACTIONS, *RISKY_ACTIONS]
WHEN = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
Run = Callable[..., Report]


class AnyOrderStubber(Stubber):
    """A Stubber that answers each call with the first queued response for its operation
    whose expected parameters match, whatever the order: cognito-doctor reads a principal's
    policies and simulates them at the same time, so calls on one client interleave."""

    def __init__(self, client: Any) -> None:
        super().__init__(client)
        self._any_order_lock = threading.Lock()

    def _assert_expected_params(self, model: Any, params: Any, context: Any, **kwargs: Any) -> None:
        if self._should_not_stub(context):
            return
        with self._any_order_lock:
            for entry in self._queue:
                expected = entry["expected_params"]
                if entry["operation_name"] == model.name and (
                    expected is None or expected == params
                ):
                    self._queue.remove(entry)
                    context["any_order_stub"] = entry
                    return
        raise StubAssertionError(
            operation_name=model.name,
            reason=f"no queued response for {model.name} with parameters {params}",
        )

    def _get_response_handler(self, model: Any, params: Any, context: Any, **kwargs: Any) -> Any:
        return context.pop("any_order_stub")["response"]


class Stubs:
    """Stubbed clients for the operator (iam, sts) and the service's keys (sts)."""

    def __init__(self) -> None:
        self.clients = {
            name: boto3.client(
                service,
                region_name=REGION,
                # An address nothing listens on: the Stubber answers before any request.
                endpoint_url="http://127.0.0.1:9",
                aws_access_key_id="AKIAOPERATOREXAMPLE1",
                aws_secret_access_key="operator-secret-example",
            )
            for name, service in (("iam", "iam"), ("sts", "sts"), ("service-sts", "sts"))
        }
        self.stubbers = {name: AnyOrderStubber(client) for name, client in self.clients.items()}
        for stubber in self.stubbers.values():
            stubber.activate()

    @property
    def iam(self) -> Stubber:
        return self.stubbers["iam"]

    @property
    def service_sts(self) -> Stubber:
        return self.stubbers["service-sts"]

    def caller(self, arn: str) -> None:
        self.service_sts.add_response(
            "get_caller_identity", {"UserId": "AIDAEXAMPLEUSERID01", "Account": ACCOUNT, "Arn": arn}
        )

    def user(
        self, inline: dict[str, dict[str, Any]], *, readable: bool = True, read: bool = True
    ) -> None:
        """iam:GetUser, and unless `read` is False (a healthy simulation: nothing to explain,
        so the policies are never read) the reads of its policies."""
        self.iam.add_response(
            "get_user",
            {
                "User": {
                    "Path": "/",
                    "UserName": USER,
                    "UserId": "AIDAEXAMPLEUSERID01",
                    "Arn": USER_ARN,
                    "CreateDate": WHEN,
                }
            },
            {"UserName": USER},
        )
        if not read:
            return
        if not readable:
            self.iam.add_client_error(
                "list_groups_for_user",
                service_error_code="AccessDenied",
                service_message=f"User: {USER_ARN} is not authorized",
                http_status_code=403,
            )
            return
        self.iam.add_response("list_groups_for_user", {"Groups": []}, {"UserName": USER})
        self.iam.add_response(
            "list_user_policies", {"PolicyNames": list(inline)}, {"UserName": USER}
        )
        for name, document in inline.items():
            self.iam.add_response(
                "get_user_policy",
                {"UserName": USER, "PolicyName": name, "PolicyDocument": json.dumps(document)},
                {"UserName": USER, "PolicyName": name},
            )
        self.iam.add_response(
            "list_attached_user_policies", {"AttachedPolicies": []}, {"UserName": USER}
        )

    def role(
        self,
        name: str,
        arn: str,
        inline: dict[str, dict[str, Any]],
        *,
        read: bool = True,
        **extra: Any,
    ) -> None:
        """iam:GetRole, and unless `read` is False the reads of its policies."""
        role = {
            "Path": arn.split(":role", 1)[1].rsplit("/", 1)[0] + "/",
            "RoleName": name,
            "RoleId": "AROAEXAMPLEROLEID01",
            "Arn": arn,
            "CreateDate": WHEN,
            **extra,
        }
        self.iam.add_response("get_role", {"Role": role}, {"RoleName": name})
        if not read:
            return
        self.iam.add_response(
            "list_role_policies", {"PolicyNames": list(inline)}, {"RoleName": name}
        )
        for policy_name, document in inline.items():
            self.iam.add_response(
                "get_role_policy",
                {
                    "RoleName": name,
                    "PolicyName": policy_name,
                    "PolicyDocument": json.dumps(document),
                },
                {"RoleName": name, "PolicyName": policy_name},
            )
        self.iam.add_response(
            "list_attached_role_policies", {"AttachedPolicies": []}, {"RoleName": name}
        )

    def simulation(
        self, principal: str, results: list[dict[str, Any]], marker: str | None = None, **page: Any
    ) -> None:
        params: dict[str, Any] = {
            "PolicySourceArn": principal,
            "ActionNames": ALL_ACTIONS,
            "ResourceArns": [POOL_ARN],
        }
        if marker:
            params["Marker"] = marker
        self.iam.add_response(
            "simulate_principal_policy", {"EvaluationResults": results, **page}, params
        )

    def assert_done(self) -> None:
        for stubber in self.stubbers.values():
            stubber.assert_no_pending_responses()


@pytest.fixture
def stubs(monkeypatch: pytest.MonkeyPatch) -> Iterator[Stubs]:
    stubs = Stubs()
    operator = {"iam": stubs.clients["iam"], "sts": stubs.clients["sts"]}
    service = {"sts": stubs.clients["service-sts"]}
    # The stubbed clients behind the product's boundary, which turns their errors into AwsError.
    monkeypatch.setattr(AwsAccess, "operator", lambda self, name, region: Client(operator[name]))
    monkeypatch.setattr(
        AwsAccess, "service", lambda self, name, region, keys: Client(service[name])
    )
    yield stubs


@pytest.fixture
def root(tmp_path: Path) -> Path:
    common = {"COGNITO_USER_POOL_ID": POOL_ID, "COGNITO_REGION": REGION}
    write_env_file(
        tmp_path / UM_ENV,
        {
            "COGNITO_PROVIDER": "cognito",
            **common,
            "AWS_ACCESS_KEY_ID": KEY_ID,
            "AWS_SECRET_ACCESS_KEY": SECRET,
        },
    )
    write_env_file(tmp_path / AUTH_ENV, common)
    return tmp_path


def result(action: str, decision: str, **more: Any) -> dict[str, Any]:
    """An EvaluationResult as AWS returns it for one resource ARN."""
    specific: dict[str, Any] = {
        "EvalResourceName": POOL_ARN,
        "EvalResourceDecision": decision,
        "MatchedStatements": more.pop("matched", []),
        "MissingContextValues": [],
    }
    specific.update(more.pop("specific", {}))
    return {
        "EvalActionName": action,
        # Top level: the ARN template, not the simulated resource.
        "EvalResourceName": "arn:${Partition}:cognito-idp:${Region}:${Account}:userpool/${Id}",
        "EvalDecision": decision,
        "MatchedStatements": specific["MatchedStatements"],
        "MissingContextValues": [],
        "ResourceSpecificResults": [specific],
        **more,
    }


RUNBOOK = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": list(SIX), "Resource": POOL_ARN}],
}
USER_MATCH = [
    {
        "SourcePolicyId": "clinical-platform-user-mgmt",
        "SourcePolicyType": "user",
        "StartPosition": {"Line": 3, "Column": 5},
        "EndPosition": {"Line": 16, "Column": 6},
    }
]


def risky_denied() -> list[dict[str, Any]]:
    return [result(a, "implicitDeny") for a in RISKY_ACTIONS]


def test_scp_denial_is_named_from_organizations_decision_detail(
    stubs: Stubs, root: Path, run_report: Run
) -> None:
    stubs.caller(USER_ARN)
    stubs.user({"clinical-platform-user-mgmt": RUNBOOK})
    scp = {"OrganizationsDecisionDetail": {"AllowedByOrganizations": False}}
    stubs.simulation(
        USER_ARN,
        [result(a, "implicitDeny", **scp) for a in SIX] + risky_denied(),
        IsTruncated=False,
    )
    report = iam_report(run_report, root, None)
    actions = outcome(report, "iam.actions")
    assert status(report, "iam.actions") is Status.FAIL
    assert "6 of 6 actions are denied" in actions.message
    assert (
        "denied by a service control policy (AWS Organizations) that applies to account "
        f"{ACCOUNT}: no identity policy can override it" in actions.message
    )
    assert "Ask your AWS Organizations administrator" in actions.fix
    assert POOL_ARN in actions.fix
    assert actions.fix_command is None  # nothing the principal's own policies can change
    stubs.assert_done()
    assert SECRET not in report_text(report) and KEY_ID not in report_text(report)


def test_boundary_denial_is_read_from_resource_specific_results(
    stubs: Stubs, root: Path, run_report: Run
) -> None:
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/app/user-mgmt"
    boundary = f"arn:aws:iam::{ACCOUNT}:policy/DevBoundary"
    stubs.role(
        "user-mgmt",
        role_arn,
        {"clinical-platform-user-mgmt": RUNBOOK},
        PermissionsBoundary={
            "PermissionsBoundaryType": "Policy",
            "PermissionsBoundaryArn": boundary,
        },
    )
    denied = result(
        "cognito-idp:AdminDeleteUser",
        "implicitDeny",
        specific={"PermissionsBoundaryDecisionDetail": {"AllowedByPermissionsBoundary": False}},
    )
    # The top-level decision is about the ARN template; the pool's own entry decides.
    denied["EvalDecision"] = "allowed"
    results = [
        denied if a == "cognito-idp:AdminDeleteUser" else result(a, "allowed", matched=USER_MATCH)
        for a in SIX
    ]
    stubs.simulation(role_arn, results + risky_denied(), IsTruncated=False)
    report = iam_report(run_report, root, None, principal_arn=role_arn)
    assert f"permissions boundary {boundary}" in outcome(report, "iam.principal").message
    actions = outcome(report, "iam.actions")
    assert status(report, "iam.actions") is Status.FAIL
    assert "1 of 6 actions are denied" in actions.message
    assert f"AdminDeleteUser: denied by the permissions boundary {boundary}" in actions.message
    assert "AdminDeleteUser         implicitDeny" in actions.message
    assert f"Add this statement to the permissions boundary {boundary}" in actions.fix
    stubs.assert_done()


def test_truncated_simulation_pages_are_followed(stubs: Stubs, root: Path, run_report: Run) -> None:
    stubs.caller(USER_ARN)
    stubs.user({"clinical-platform-user-mgmt": RUNBOOK}, read=False)
    everything = [result(a, "allowed", matched=USER_MATCH) for a in SIX] + risky_denied()
    stubs.simulation(USER_ARN, everything[:4], IsTruncated=True, Marker="page-2")
    stubs.simulation(USER_ARN, everything[4:11], "page-2", IsTruncated=True, Marker="page-3")
    stubs.simulation(USER_ARN, everything[11:], "page-3", IsTruncated=False)
    report = iam_report(run_report, root, None)
    actions = outcome(report, "iam.actions")
    assert status(report, "iam.actions") is Status.PASS, actions.message
    assert actions.evidence["decisions"] == {a.split(":")[1]: "allowed" for a in SIX}
    assert status(report, "iam.least-privilege") is Status.PASS
    stubs.assert_done()


def test_assumed_role_is_resolved_with_get_role_to_the_arn_with_its_path(
    stubs: Stubs, root: Path, run_report: Run
) -> None:
    session = f"arn:aws:sts::{ACCOUNT}:assumed-role/user-mgmt/ecs-task-7f3a"
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/ecs/tasks/user-mgmt"
    stubs.caller(session)
    stubs.role("user-mgmt", role_arn, {"clinical-platform-user-mgmt": RUNBOOK}, read=False)
    stubs.simulation(
        role_arn,
        [result(a, "allowed", matched=USER_MATCH) for a in SIX] + risky_denied(),
        IsTruncated=False,
    )
    report = iam_report(run_report, root, None)
    principal = outcome(report, "iam.principal")
    assert status(report, "iam.principal") is Status.PASS
    assert f"the service runs as role {role_arn}" in principal.message
    assert f"{session} is a session of role user-mgmt" in principal.message
    assert status(report, "iam.actions") is Status.PASS
    stubs.assert_done()


def test_assumed_role_without_get_role_permission_errors_naming_it(
    stubs: Stubs, root: Path, run_report: Run
) -> None:
    stubs.caller(f"arn:aws:sts::{ACCOUNT}:assumed-role/user-mgmt/ecs-task-7f3a")
    stubs.iam.add_client_error("get_role", service_error_code="AccessDenied", http_status_code=403)
    report = iam_report(run_report, root, None)
    principal = outcome(report, "iam.principal")
    assert status(report, "iam.principal") is Status.ERROR
    assert "needs iam:GetRole" in principal.message
    assert "IAM → Roles → user-mgmt → ARN" in principal.fix
    assert f"iam:GetRole on arn:aws:iam::{ACCOUNT}:role/*user-mgmt" in principal.fix
    assert status(report, "iam.actions") is Status.ERROR
    stubs.assert_done()


def test_explicit_deny_is_named_from_matched_statements_when_policies_are_unreadable(
    stubs: Stubs, root: Path, run_report: Run
) -> None:
    stubs.caller(USER_ARN)
    stubs.user({}, readable=False)
    deny = [
        {
            "SourcePolicyId": "guardrails",
            "SourcePolicyType": "group",
            "StartPosition": {"Line": 4, "Column": 5},
            "EndPosition": {"Line": 9, "Column": 6},
        }
    ]
    results = [
        result(a, "explicitDeny", matched=deny)
        if a == "cognito-idp:AdminDeleteUser"
        else result(a, "allowed", matched=USER_MATCH)
        for a in SIX
    ]
    stubs.simulation(USER_ARN, results + risky_denied(), IsTruncated=False)
    report = iam_report(run_report, root, None)
    actions = outcome(report, "iam.actions")
    assert status(report, "iam.actions") is Status.FAIL
    assert (
        "AdminDeleteUser: explicitly denied by a Deny statement in group guardrails (line 4)"
        in actions.message
    )
    assert "AdminDeleteUser         explicitDeny" in actions.message
    stubs.assert_done()


def test_missing_context_values_on_an_allowed_action_warn(
    stubs: Stubs, root: Path, run_report: Run
) -> None:
    stubs.caller(USER_ARN)
    stubs.user({"clinical-platform-user-mgmt": RUNBOOK})
    results = [
        result(
            a,
            "allowed",
            matched=USER_MATCH,
            specific={"MissingContextValues": ["aws:SourceVpce"]},
        )
        for a in SIX
    ]
    stubs.simulation(USER_ARN, results + risky_denied(), IsTruncated=False)
    report = iam_report(run_report, root, None)
    actions = outcome(report, "iam.actions")
    assert status(report, "iam.actions") is Status.WARN
    assert "conditions the simulation couldn't evaluate could still deny them: aws:SourceVpce" in (
        actions.message
    )
    stubs.assert_done()
