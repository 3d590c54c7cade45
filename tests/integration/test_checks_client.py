"""client.exists, client.secret and client.auth-flows, end to end against moto's server.

Every fix is applied the way a person would paste it (the `aws` command is translated to the
same boto3 call the AWS CLI makes, validated against botocore's model), and the run repeated.
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore import xform_name

from cognito_doctor.checks.client import client_exists
from cognito_doctor.demo.sandbox import Sandbox, Setup, write_env_file
from cognito_doctor.engine.model import Report, Status
from cognito_doctor.engine.redact import MASK
from cognito_doctor.facts.records import ClientLookup
from cognito_doctor.platform.awscli import update_user_pool_client_members
from cognito_doctor.platform.envfiles import AUTH_ENV, parse_env_text
from cognito_doctor.platform.settings import RunConfig
from cognito_doctor.platform.target import PoolRef
from tests.conftest import report_text, result_of, statuses

CLIENT_CHECKS = ("client.exists", "client.secret", "client.auth-flows")
RUNBOOK_FLOWS = ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
# Settings a real client often carries beyond the runbook's: a fix must keep them.
EXTRA_SETTINGS: dict[str, Any] = {
    "AccessTokenValidity": 2,
    "IdTokenValidity": 2,
    "TokenValidityUnits": {"AccessToken": "hours", "IdToken": "hours", "RefreshToken": "days"},
    "ReadAttributes": ["email", "name"],
    "PreventUserExistenceErrors": "ENABLED",
}


def run_aws(sandbox: Sandbox, command: str) -> Any:
    """Run an `aws SERVICE OPERATION --region R …` fix command against the sandbox.

    Options map to input members the way the AWS CLI maps them (kebab-case names, lists as
    repeated values, `--flag` / `--no-flag` booleans, `--cli-input-json` as the base);
    boto3 then validates the parameters against the service model, as the CLI does.
    """
    tokens = shlex.split(command)
    assert tokens[0] == "aws", command
    service, operation = tokens[1], tokens[2]
    options: dict[str, list[str]] = {}
    current = ""
    for token in tokens[3:]:
        if token.startswith("--"):
            current = token[2:]
            assert current not in options, f"--{current} given twice"
            options[current] = []
        else:
            options[current].append(token)
    region = options.pop("region")[0]
    # The run's target: the sandbox client stands for it, so it must be the sandbox's.
    assert options.pop("endpoint-url", [sandbox.endpoint_url]) == [sandbox.endpoint_url], command
    client = sandbox.client(service, region)
    method = operation.replace("-", "_")
    model = client.meta.service_model.operation_model(client.meta.method_to_api_mapping[method])
    params: dict[str, Any] = {}
    if "cli-input-json" in options:
        params = json.loads(options.pop("cli-input-json")[0])
    members = model.input_shape.members
    for option, values in options.items():
        negated = option.startswith("no-")
        name = option[3:] if negated else option
        member = next(m for m in members if xform_name(m, "-") == name)
        kind = members[member].type_name
        if kind == "boolean":
            assert values == [], option
            params[member] = not negated
        elif kind == "list":
            params[member] = values
        else:
            assert len(values) == 1, option
            params[member] = values[0]
    return getattr(client, method)(**params)


def assert_no_client_secret(sandbox: Sandbox, setup: Setup, report: Report) -> None:
    """No ClientSecret of any client in the pool appears, and nothing needed masking."""
    idp = sandbox.client("cognito-idp", setup.region)
    text = report_text(report)
    for summary in idp.list_user_pool_clients(UserPoolId=setup.pool_id, MaxResults=60)[
        "UserPoolClients"
    ]:
        client = idp.describe_user_pool_client(
            UserPoolId=setup.pool_id, ClientId=summary["ClientId"]
        )["UserPoolClient"]
        if client.get("ClientSecret"):
            assert client["ClientSecret"] not in text
    assert MASK not in text


def describe(sandbox: Sandbox, setup: Setup, client_id: str | None = None) -> dict[str, Any]:
    client: dict[str, Any] = sandbox.client("cognito-idp", setup.region).describe_user_pool_client(
        UserPoolId=setup.pool_id, ClientId=client_id or setup.client_id
    )["UserPoolClient"]
    return client


def set_client_id(setup: Setup, client_id: str) -> None:
    auth = dict(setup.auth_env)
    auth["COGNITO_APP_CLIENT_ID"] = client_id
    write_env_file(setup.root / AUTH_ENV, auth)


def add_client(sandbox: Sandbox, setup: Setup, name: str, **params: Any) -> str:
    idp = sandbox.client("cognito-idp", setup.region)
    created = idp.create_user_pool_client(UserPoolId=setup.pool_id, ClientName=name, **params)
    client_id: str = created["UserPoolClient"]["ClientId"]
    return client_id


def run_clients(run_report: Callable[..., Report], sandbox: Sandbox, root: Path) -> Report:
    return run_report(root, endpoint_url=sandbox.endpoint_url, only=("client.*",))


# --- healthy ---------------------------------------------------------------------------


def test_healthy_client_passes_all_three(
    sandbox: Sandbox, tmp_path: Path, run_report: Callable[..., Report]
) -> None:
    setup = sandbox.create_setup(tmp_path)
    report = run_clients(run_report, sandbox, tmp_path)
    assert statuses(report) == dict.fromkeys(CLIENT_CHECKS, Status.PASS)
    exists = result_of(report, "client.exists").outcome
    assert f"COGNITO_APP_CLIENT_ID={setup.client_id} is the app client 'clinical-platform'" in (
        exists.message
    )
    secret = result_of(report, "client.secret").outcome
    assert "is confidential: it has a client secret" in secret.message
    assert secret.evidence["has_secret"] is True
    flows = result_of(report, "client.auth-flows").outcome
    assert "ALLOW_ADMIN_USER_PASSWORD_AUTH, ALLOW_REFRESH_TOKEN_AUTH" in flows.message
    assert describe(sandbox, setup).get("ClientSecret")
    assert_no_client_secret(sandbox, setup, report)


# --- client.exists ---------------------------------------------------------------------


def test_wrong_client_id_lists_clients_and_gives_the_exact_line(
    sandbox: Sandbox, tmp_path: Path, run_report: Callable[..., Report]
) -> None:
    setup = sandbox.create_setup(
        tmp_path, auth_changes={"COGNITO_APP_CLIENT_ID": "7wrongclientid0000000000aa"}
    )
    other = add_client(sandbox, setup, "admin-console")
    report = run_clients(run_report, sandbox, tmp_path)
    result = result_of(report, "client.exists")
    outcome = result.outcome
    assert result.status is Status.FAIL
    assert (
        f"COGNITO_APP_CLIENT_ID=7wrongclientid0000000000aa is not an app client of pool "
        f"{setup.pool_id}" in outcome.message
    )
    assert f"'clinical-platform' ({setup.client_id})" in outcome.message
    assert f"'admin-console' ({other})" in outcome.message
    assert f"The runbook's client is 'clinical-platform' ({setup.client_id})" in outcome.message
    assert f"COGNITO_APP_CLIENT_ID={setup.client_id}\n" in outcome.fix
    assert AUTH_ENV in outcome.fix and "restart auth" in outcome.fix
    assert str(outcome.location) == f"{AUTH_ENV}:3"
    assert outcome.evidence["suggested_client_id"] == setup.client_id
    # The other client checks have nothing to look at, and say why.
    assert result_of(report, "client.secret").status is Status.SKIP
    assert "see client.exists" in result_of(report, "client.secret").outcome.message
    assert_no_client_secret(sandbox, setup, report)

    # Paste the line the fix gives: everything passes.
    line = next(
        ln.strip()
        for ln in outcome.fix.splitlines()
        if ln.strip().startswith("COGNITO_APP_CLIENT_ID=")
    )
    set_client_id(setup, line.split("=", 1)[1])
    assert statuses(run_clients(run_report, sandbox, tmp_path)) == dict.fromkeys(
        CLIENT_CHECKS, Status.PASS
    )


def test_several_clients_named_like_the_runbook_are_all_offered(
    sandbox: Sandbox, tmp_path: Path, run_report: Callable[..., Report]
) -> None:
    setup = sandbox.create_setup(
        tmp_path,
        client_changes={"ClientName": "clinical-platform-dev"},
        auth_changes={"COGNITO_APP_CLIENT_ID": "7wrongclientid0000000000bb"},
    )
    second = add_client(sandbox, setup, "Clinical_Platform_staging")
    outcome = result_of(run_clients(run_report, sandbox, tmp_path), "client.exists").outcome
    assert outcome.status is Status.FAIL
    assert "2 are named like clinical-platform" in outcome.message
    assert f"COGNITO_APP_CLIENT_ID={setup.client_id}   # clinical-platform-dev" in outcome.fix
    assert f"COGNITO_APP_CLIENT_ID={second}   # Clinical_Platform_staging" in outcome.fix


def test_no_runbook_client_in_the_pool_offers_to_create_it(
    sandbox: Sandbox, tmp_path: Path, run_report: Callable[..., Report]
) -> None:
    setup = sandbox.create_setup(
        tmp_path,
        client_changes={"ClientName": "web-frontend"},
        auth_changes={"COGNITO_APP_CLIENT_ID": "7wrongclientid0000000000cc"},
    )
    outcome = result_of(run_clients(run_report, sandbox, tmp_path), "client.exists").outcome
    assert outcome.status is Status.FAIL
    assert f"'web-frontend' ({setup.client_id}); none is named like clinical-platform" in (
        outcome.message
    )
    assert outcome.fix_command is not None
    assert outcome.fix_command in outcome.fix
    created = run_aws(sandbox, outcome.fix_command)["UserPoolClient"]
    assert created["ClientName"] == "clinical-platform"
    set_client_id(setup, created["ClientId"])
    report = run_clients(run_report, sandbox, tmp_path)
    assert statuses(report) == dict.fromkeys(CLIENT_CHECKS, Status.PASS)
    assert_no_client_secret(sandbox, setup, report)


def test_pool_without_clients_says_so_and_gives_the_create_command(
    sandbox: Sandbox, tmp_path: Path, run_report: Callable[..., Report]
) -> None:
    setup = sandbox.create_setup(tmp_path)
    sandbox.client("cognito-idp", setup.region).delete_user_pool_client(
        UserPoolId=setup.pool_id, ClientId=setup.client_id
    )
    outcome = result_of(run_clients(run_report, sandbox, tmp_path), "client.exists").outcome
    assert outcome.status is Status.FAIL
    assert "the pool has no app clients at all" in outcome.message
    assert outcome.fix_command == (
        f"aws cognito-idp create-user-pool-client --region {setup.region} "
        f"--endpoint-url {sandbox.endpoint_url} --user-pool-id "
        f"{setup.pool_id} --client-name clinical-platform --generate-secret "
        "--explicit-auth-flows ALLOW_ADMIN_USER_PASSWORD_AUTH ALLOW_REFRESH_TOKEN_AUTH"
    )


def test_clients_that_cannot_be_listed_point_at_the_console() -> None:
    # Moto's sandbox lets the operator list everything, so this one case calls the (pure)
    # check with the fact the provider returns when ListUserPoolClients is denied.
    ref = PoolRef("eu-west-2_Q7wErTy12", "eu-west-2", "7wrongclientid0000000000dd")
    lookup = ClientLookup(
        ref,
        None,
        (),
        "the operator may not call cognito-idp:ListUserPoolClients (AccessDeniedException)",
    )
    auth = parse_env_text(
        AUTH_ENV, Path(AUTH_ENV), "COGNITO_REGION=eu-west-2\nCOGNITO_APP_CLIENT_ID=x\n"
    )
    outcome = client_exists(auth, lookup, RunConfig(root=Path(".")))
    assert outcome.status is Status.FAIL
    assert "could not be listed" in outcome.message
    assert "cognito-idp:ListUserPoolClients" in outcome.message
    assert "Cognito → User pools → eu-west-2_Q7wErTy12 → App integration" in outcome.fix
    assert str(outcome.location) == f"{AUTH_ENV}:2"


# --- client.secret ---------------------------------------------------------------------


def test_public_client_fails_and_the_new_confidential_client_passes(
    sandbox: Sandbox, tmp_path: Path, run_report: Callable[..., Report]
) -> None:
    setup = sandbox.create_setup(tmp_path, client_changes={"GenerateSecret": False})
    report = run_clients(run_report, sandbox, tmp_path)
    outcome = result_of(report, "client.secret").outcome
    assert outcome.status is Status.FAIL
    assert f"'clinical-platform' ({setup.client_id}) is public: it has no client secret" in (
        outcome.message
    )
    # AddUserPoolClientSecret adds secrets only to a client that is already confidential.
    assert "A public client can't become confidential (AddUserPoolClientSecret" in outcome.fix
    assert outcome.fix_command is not None
    assert outcome.fix_command.startswith("aws cognito-idp create-user-pool-client ")
    assert f"--user-pool-id {setup.pool_id}" in outcome.fix_command
    assert "--generate-secret" in outcome.fix_command
    assert "--explicit-auth-flows ALLOW_ADMIN_USER_PASSWORD_AUTH ALLOW_REFRESH_TOKEN_AUTH" in (
        outcome.fix_command
    )
    assert f"COGNITO_APP_CLIENT_ID=<new ClientId> in {AUTH_ENV}" in outcome.fix
    assert f"--client-id {setup.client_id}" in outcome.fix  # deleting the old one, afterwards
    assert outcome.evidence["has_secret"] is False

    created = run_aws(sandbox, outcome.fix_command)["UserPoolClient"]
    assert created["ClientSecret"]
    set_client_id(setup, created["ClientId"])
    report = run_clients(run_report, sandbox, tmp_path)
    assert statuses(report) == dict.fromkeys(CLIENT_CHECKS, Status.PASS)
    assert_no_client_secret(sandbox, setup, report)


# --- client.auth-flows -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("flows", "status", "words"),
    [
        (
            ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            Status.FAIL,
            ["ALLOW_ADMIN_USER_PASSWORD_AUTH is missing", "ALLOW_USER_SRP_AUTH enables SRP"],
        ),
        (
            ["ALLOW_ADMIN_USER_PASSWORD_AUTH"],
            Status.FAIL,
            ["ALLOW_REFRESH_TOKEN_AUTH is missing: tokens cannot be refreshed"],
        ),
        (
            [*RUNBOOK_FLOWS, "ALLOW_USER_SRP_AUTH"],
            Status.WARN,
            ["ALLOW_USER_SRP_AUTH enables SRP sign-in", "unless a downstream consumer needs it"],
        ),
        (
            [*RUNBOOK_FLOWS, "ALLOW_USER_AUTH"],
            Status.WARN,
            [
                "ALLOW_USER_AUTH enables choice-based sign-in (USER_AUTH: passwords, SRP, "
                "passwordless codes and passkeys; Essentials tier or higher)"
            ],
        ),
        (
            ["ADMIN_NO_SRP_AUTH"],
            Status.WARN,
            [
                "ADMIN_NO_SRP_AUTH is a legacy name: its replacement is "
                "ALLOW_ADMIN_USER_PASSWORD_AUTH"
            ],
        ),
        (
            ["ADMIN_NO_SRP_AUTH", "USER_PASSWORD_AUTH", "CUSTOM_AUTH_FLOW_ONLY"],
            Status.WARN,
            [
                "USER_PASSWORD_AUTH is a legacy name: its replacement is ALLOW_USER_PASSWORD_AUTH",
                "CUSTOM_AUTH_FLOW_ONLY is a legacy name: its replacement is ALLOW_CUSTOM_AUTH",
            ],
        ),
        (
            None,
            Status.FAIL,
            [
                "not set, so Cognito's default applies (ALLOW_REFRESH_TOKEN_AUTH, "
                "ALLOW_USER_SRP_AUTH, ALLOW_CUSTOM_AUTH)",
                "ALLOW_ADMIN_USER_PASSWORD_AUTH is missing",
            ],
        ),
    ],
    ids=["srp-no-admin", "no-refresh", "srp", "user-auth", "legacy-admin", "legacy-all", "unset"],
)
def test_auth_flows_and_their_fix_on_moto(
    flows: list[str] | None,
    status: Status,
    words: list[str],
    sandbox: Sandbox,
    tmp_path: Path,
    run_report: Callable[..., Report],
) -> None:
    setup = sandbox.create_setup(tmp_path)
    client_id = add_client(
        sandbox,
        setup,
        "clinical-platform",
        GenerateSecret=True,
        **EXTRA_SETTINGS,
        **({} if flows is None else {"ExplicitAuthFlows": flows}),
    )
    set_client_id(setup, client_id)
    before = describe(sandbox, setup, client_id)

    report = run_clients(run_report, sandbox, tmp_path)
    outcome = result_of(report, "client.auth-flows").outcome
    assert outcome.status is status, outcome.message
    for word in words:
        assert word in outcome.message
    assert outcome.fix_command is not None and outcome.fix_command in outcome.fix
    assert "update-user-pool-client resets every setting it is not given" in outcome.fix
    assert_no_client_secret(sandbox, setup, report)

    # The command carries every current setting (UpdateUserPoolClient resets the rest) and
    # changes only the flows: the runbook's two, legacy names renamed, SRP dropped.
    params = json.loads(shlex.split(outcome.fix_command)[-1])
    assert "ClientSecret" not in params
    for member in update_user_pool_client_members():
        if member != "ExplicitAuthFlows" and before.get(member) not in (None, [], {}):
            assert params[member] == before[member], member
    assert params["ExplicitAuthFlows"][:2] == RUNBOOK_FLOWS
    assert not {"ALLOW_USER_SRP_AUTH", "ALLOW_USER_AUTH"} & set(params["ExplicitAuthFlows"])
    assert not {"ADMIN_NO_SRP_AUTH", "USER_PASSWORD_AUTH", "CUSTOM_AUTH_FLOW_ONLY"} & set(
        params["ExplicitAuthFlows"]
    )

    run_aws(sandbox, outcome.fix_command)
    after = describe(sandbox, setup, client_id)
    rerun = result_of(run_clients(run_report, sandbox, tmp_path), "client.auth-flows")
    assert rerun.status is Status.PASS, rerun.outcome.message
    assert {k: v for k, v in after.items() if k != "ExplicitAuthFlows"} == {
        k: v for k, v in before.items() if k != "ExplicitAuthFlows"
    }
    assert after["ClientSecret"] == before["ClientSecret"]


def test_srp_warning_says_how_to_keep_srp(
    sandbox: Sandbox, tmp_path: Path, run_report: Callable[..., Report]
) -> None:
    sandbox.create_setup(
        tmp_path, client_changes={"ExplicitAuthFlows": [*RUNBOOK_FLOWS, "ALLOW_USER_SRP_AUTH"]}
    )
    outcome = result_of(run_clients(run_report, sandbox, tmp_path), "client.auth-flows").outcome
    assert outcome.status is Status.WARN
    assert "It turns off ALLOW_USER_SRP_AUTH; if a downstream consumer needs SRP" in outcome.fix


@pytest.mark.skipif(shutil.which("aws") is None, reason="the AWS CLI is not installed")
def test_fix_commands_run_as_printed_with_the_real_aws_cli(
    sandbox: Sandbox, tmp_path: Path, run_report: Callable[..., Report]
) -> None:
    """Where the AWS CLI is installed, paste both client fixes into it, unchanged."""
    setup = sandbox.create_setup(
        tmp_path,
        client_changes={"GenerateSecret": False, "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH"]},
    )
    report = run_clients(run_report, sandbox, tmp_path)
    commands = [
        result_of(report, c).outcome.fix_command for c in ("client.auth-flows", "client.secret")
    ]
    outputs = []
    for command in commands:
        assert command is not None
        done = subprocess.run(
            [*shlex.split(command), "--endpoint-url", sandbox.endpoint_url, "--output", "json"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        outputs.append(json.loads(done.stdout)["UserPoolClient"])
    assert outputs[0]["ExplicitAuthFlows"] == RUNBOOK_FLOWS
    set_client_id(setup, outputs[1]["ClientId"])
    assert statuses(run_clients(run_report, sandbox, tmp_path)) == dict.fromkeys(
        CLIENT_CHECKS, Status.PASS
    )
