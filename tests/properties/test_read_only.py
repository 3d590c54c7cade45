"""cognito-doctor only reads: every command that talks to AWS, run against moto's server
behind a middleware that logs each request, makes only Describe*, Get*, List*, Simulate*
calls, sts:GetCallerIdentity, AdminGetUser (a user lookup) and plain HTTP GETs (the discovery
document and its signing keys). The exceptions are `check --probe`, whose documented calls
are asserted on their own: exactly those, made with the service's own keys, for a username
that cannot exist; and `fix --apply`, which writes exactly the calls its plan printed.

Every command `cognito-doctor --help` lists must be run here or named as one that reaches no
AWS endpoint, so a new command cannot slip past this proof."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import shlex
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cognito_doctor.cli import main
from cognito_doctor.demo.sandbox import SANDBOX_OPERATOR_ENV, Sandbox, Setup
from cognito_doctor.iam import PROBE_CALLS
from tests.support.net import Request
from tests.support.netkit import Net, middleware_sandbox

READ_PREFIXES = ("Describe", "Get", "List", "Simulate")
# The one Admin* read the on-call `user` lookup (and triage's user lookups) make.
READ_ADMIN_CALLS = {"AdminGetUser"}
SES_REGION = "eu-west-1"
PASSWORD = "Corr3ct-Horse-Battery!"
# Commands that never reach an AWS endpoint (demo runs its own in-process moto server and
# is given no --endpoint-url; the others only read the check registry).
NO_AWS = {"list-checks", "list-facts", "explain", "schema", "demo", "permissions"}


def is_read(request: Request) -> bool:
    if not request.is_aws:
        return request.method == "GET"  # the discovery document and the JWKS
    if request.protocol == "rest":
        return request.method == "GET"  # e.g. sesv2 GetAccount: GET /v2/email/account
    return request.action.startswith(READ_PREFIXES) or request.action in READ_ADMIN_CALLS


@pytest.fixture(scope="module")
def net() -> Iterator[Net]:
    with middleware_sandbox() as started:
        yield started


@pytest.fixture(scope="module")
def world(sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Setup]:
    """Setups that between them make every kind of call: SES email sending (DEVELOPER), a
    wrong pool id (ListUserPools), a wrong client id (ListUserPoolClients), the demo's broken
    setup (an IAM policy for the wrong region), and users to look up and mint tokens for."""
    root = tmp_path_factory.mktemp("read-only")
    domain = f"clinic-{uuid.uuid4().hex[:8]}.test"
    sandbox.client("ses", SES_REGION).verify_domain_identity(Domain=domain)
    developer = {
        "EmailConfiguration": {
            "EmailSendingAccount": "DEVELOPER",
            "SourceArn": f"arn:aws:ses:{SES_REGION}:123456789012:identity/{domain}",
        }
    }
    healthy = sandbox.create_setup(root / "healthy", pool_changes=developer)
    setups = {
        "healthy": healthy,
        "wrong-pool": sandbox.create_setup(
            root / "wrong-pool",
            um_changes={"COGNITO_USER_POOL_ID": "eu-west-2_Missing1"},
            auth_changes={"COGNITO_USER_POOL_ID": "eu-west-2_Missing1"},
        ),
        "wrong-client": sandbox.create_setup(
            root / "wrong-client",
            auth_changes={"COGNITO_APP_CLIENT_ID": "7q2m5n8b1v4c6x9z3l0k2j4h6g"},
        ),
        "broken": sandbox.create_broken_setup(root / "broken"),
    }
    idp = sandbox.client("cognito-idp")
    for email in ("active@clinic.test", "invited@clinic.test"):
        idp.admin_create_user(
            UserPoolId=healthy.pool_id,
            Username=email,
            UserAttributes=[{"Name": "email", "Value": email}, {"Name": "name", "Value": "A"}],
            MessageAction="SUPPRESS",
        )
    idp.admin_set_user_password(
        UserPoolId=healthy.pool_id, Username="active@clinic.test", Password=PASSWORD, Permanent=True
    )
    return setups


def id_token(sandbox: Sandbox, setup: Setup) -> str:
    """An ID token from moto's Cognito (minted directly, not through the middleware)."""
    idp = sandbox.client("cognito-idp")
    secret = idp.describe_user_pool_client(UserPoolId=setup.pool_id, ClientId=setup.client_id)[
        "UserPoolClient"
    ]["ClientSecret"]
    email = "active@clinic.test"
    digest = hmac.new(secret.encode(), (email + setup.client_id).encode(), hashlib.sha256).digest()
    token: str = idp.admin_initiate_auth(
        UserPoolId=setup.pool_id,
        ClientId=setup.client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={
            "USERNAME": email,
            "PASSWORD": PASSWORD,
            "SECRET_HASH": base64.b64encode(digest).decode(),
        },
    )["AuthenticationResult"]["IdToken"]
    return token


def invoke(args: Sequence[str], input: str | None = None) -> Result:
    result = CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)
    assert "Traceback" not in result.stdout + result.stderr
    return result


def aws_commands(
    net: Net, setups: dict[str, Setup], token: str, policy: Path
) -> list[tuple[str, list[str]]]:
    """(command, argv) for every run of a command that talks to AWS."""
    runs: list[tuple[str, list[str]]] = []
    for setup in setups.values():
        where = ["--root", str(setup.root), "--endpoint-url", net.endpoint_url]
        for env in ("dev", "prod"):
            runs.append(
                ("check", ["check", *where, "--env", env, "--policy-file", str(policy), "-v"])
            )
        runs.append(("triage", ["triage", *where, *TRIAGE_TEXT]))
        runs.append(("user", ["user", *where, "active@clinic.test"]))
        runs.append(("user", ["user", *where, "nobody@clinic.test"]))
        runs.append(("token", ["token", *where, token]))
        # `fix` without --apply only plans (`fix --apply` is proved on its own below).
        runs.append(("fix", ["fix", *where]))
        runs.append(("fix", ["fix", *where, "--env", "prod"]))
    healthy = setups["healthy"]
    runs.append(
        (
            "check",
            [
                "check",
                "--root",
                str(healthy.root),
                "--endpoint-url",
                net.endpoint_url,
                "--env",
                "prod",
                "--principal-arn",
                "arn:aws:iam::123456789012:role/app/no-such-role",
            ],
        )
    )
    return runs


TRIAGE_TEXT = [
    "Promote 500s with AccessDeniedException; the invite never arrived for "
    "invited@clinic.test; User is disabled: active@clinic.test; NotAuthorizedException; "
    "services/auth rejects every token: aud mismatch"
]


def test_every_command_that_talks_to_aws_only_reads(
    net: Net, sandbox: Sandbox, world: dict[str, Setup], tmp_path: Path
) -> None:
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"Version": "2012-10-17", "Statement": []}))
    token = id_token(sandbox, world["healthy"])
    runs = aws_commands(net, world, token, policy)
    listed = set(main.commands)
    covered = {command for command, _ in runs} | NO_AWS
    assert covered == listed, f"classify every command: {sorted(listed ^ covered)}"

    with net.middleware.recording() as seen:
        for _, args in runs:
            invoke(args)

    writes = sorted({r.operation for r in seen if not is_read(r)})
    assert writes == [], f"cognito-doctor made calls that are not reads: {writes}"
    operations = {r.operation for r in seen}
    # The proof covers what the commands really do (it would be empty if they did nothing).
    assert {
        "cognito-idp:DescribeUserPool",
        "cognito-idp:DescribeUserPoolClient",
        "cognito-idp:ListUserPools",
        "cognito-idp:ListUserPoolClients",
        "cognito-idp:AdminGetUser",
        "cognito-idp:ListUsers",
        "sts:GetCallerIdentity",
        "iam:GetUser",
        "iam:GetRole",
        "iam:ListGroupsForUser",
        "iam:ListUserPolicies",
        "iam:GetUserPolicy",
        "iam:ListAttachedUserPolicies",
        "iam:SimulatePrincipalPolicy",
        "ses:GetIdentityVerificationAttributes",
        "ses:GET /v2/email/account",
    } <= operations, sorted(operations)
    assert any(r.path.endswith("/.well-known/jwks.json") for r in seen)
    assert any(r.path.endswith("/.well-known/openid-configuration") for r in seen)


def test_commands_without_aws_make_no_request(net: Net, world: dict[str, Setup]) -> None:
    with net.middleware.recording() as seen:
        invoke(["list-checks"])
        invoke(["list-checks", "--format", "json"])
        invoke(["list-facts"])
        invoke(["list-facts", "--format", "json"])
        invoke(["explain", "pool.mfa"])
        invoke(["schema"])
        invoke(["permissions"])
        for setup in world.values():
            where = ["--root", str(setup.root), "--endpoint-url", net.endpoint_url]
            invoke(["check", *where, "--offline"])
            invoke(["triage", *where, "--offline", *TRIAGE_TEXT])
    assert seen == []


def test_probe_makes_exactly_its_documented_calls_with_the_service_keys(
    net: Net, world: dict[str, Setup]
) -> None:
    healthy = world["healthy"]
    with net.middleware.recording() as seen:
        result = invoke(
            [
                "check",
                "--root",
                str(healthy.root),
                "--endpoint-url",
                net.endpoint_url,
                "--probe",
                "--only",
                "iam.*",
            ]
        )
    assert result.exit_code == 0, result.stdout
    assert "probe: allowed (UserNotFoundException)" in result.stdout
    probe = [r for r in seen if not is_read(r) or r.action == "AdminGetUser"]
    documented = [action for action, _ in PROBE_CALLS]
    assert sorted(r.operation for r in probe) == sorted(documented)
    service_key = healthy.um_env["AWS_ACCESS_KEY_ID"]
    usernames = set()
    for request in probe:
        assert request.key_id == service_key, "probe calls are made with the service's keys"
        body = json.loads(request.body)
        assert body["UserPoolId"] == healthy.pool_id
        usernames.add(body["Username"])
    # One username for every call, one that cannot exist.
    assert len(usernames) == 1
    assert re.fullmatch(r"cognito-doctor-probe-[0-9a-f]{32}", usernames.pop())
    # Nothing else the probe run did is a write.
    assert all(is_read(r) for r in seen if r not in probe)


def test_fix_apply_writes_only_the_planned_calls(
    net: Net, sandbox: Sandbox, tmp_path: Path
) -> None:
    """`fix --apply --yes` on a pool and client broken in two ways each: the only writes are
    one UpdateUserPool and one UpdateUserPoolClient, each carrying exactly the request the
    plan printed, made with the operator's credentials."""
    setup = sandbox.create_setup(
        tmp_path,
        pool_changes={
            "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": False},
            "AutoVerifiedAttributes": [],
        },
        client_changes={"ExplicitAuthFlows": ["ALLOW_REFRESH_TOKEN_AUTH"]},
    )
    where = ["--root", str(tmp_path), "--endpoint-url", net.endpoint_url]
    planned = invoke(["fix", *where])
    printed = {}
    for line in planned.stdout.splitlines():
        words = shlex.split(line.strip()) if line.strip().startswith("aws ") else []
        if "--cli-input-json" in words:
            printed[words[2]] = json.loads(words[words.index("--cli-input-json") + 1])
    assert set(printed) == {"update-user-pool", "update-user-pool-client"}
    with net.middleware.recording() as seen:
        result = invoke(["fix", *where, "--apply", "--yes"])
    assert result.exit_code == 0, result.stdout
    writes = [r for r in seen if not is_read(r)]
    assert sorted(r.operation for r in writes) == [
        "cognito-idp:UpdateUserPool",
        "cognito-idp:UpdateUserPoolClient",
    ]
    sent = {r.action: json.loads(r.body) for r in writes}
    assert sent["UpdateUserPool"] == printed["update-user-pool"]
    assert sent["UpdateUserPoolClient"] == printed["update-user-pool-client"]
    assert all(r.key_id == "testing" for r in writes), "written with the operator's keys"
    assert setup.pool_id == sent["UpdateUserPool"]["UserPoolId"]


# The IAM action of a REST operation the middleware names by its method and path.
_REST_ACTIONS = {"ses:GET /v2/email/account": "ses:GetAccount"}


def test_the_permissions_policy_grants_every_call_the_checks_make_as_the_operator(
    net: Net, world: dict[str, Setup], tmp_path: Path
) -> None:
    policy_file = tmp_path / "policy.json"
    policy_file.write_text(json.dumps({"Version": "2012-10-17", "Statement": []}))
    printed = json.loads(invoke(["permissions"]).stdout)
    granted = {a for statement in printed["Statement"] for a in statement["Action"]}
    assert all(statement["Effect"] == "Allow" for statement in printed["Statement"])
    assert all(a.split(":", 1)[1].startswith(READ_PREFIXES) for a in granted), granted
    checks = [args for command, args in aws_commands(net, world, "-", policy_file)]
    operator_key = SANDBOX_OPERATOR_ENV["AWS_ACCESS_KEY_ID"]

    with net.middleware.recording() as seen:
        for args in checks:
            if args[0] == "check":
                invoke(args)

    made = {
        _REST_ACTIONS.get(r.operation, r.operation)
        for r in seen
        if r.is_aws and r.key_id == operator_key
    }
    # Every call the operator made is granted (GetCallerIdentity needs no permission) ...
    assert made - granted <= {"sts:GetCallerIdentity"}, sorted(made - granted)
    # ... and the proof covers the calls that matter (it would hold vacuously otherwise).
    assert {
        "cognito-idp:DescribeUserPool",
        "cognito-idp:ListUserPools",
        "cognito-idp:ListUserPoolClients",
        "iam:GetUser",
        "iam:SimulatePrincipalPolicy",
        "iam:GetUserPolicy",
        "ses:GetAccount",
    } <= made, sorted(made)
