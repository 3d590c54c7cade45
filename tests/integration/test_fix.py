"""`cognito-doctor fix` on moto's server: one plan per resource, nothing written without
`--apply`, `--apply` refused without a terminal or `--yes`, a change made between plan and
apply refused, a partial failure said as such, the new-pool part never applied, another
application's client left alone, and the run's --profile / --endpoint-url on every command."""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from cognito_doctor.cli import main
from cognito_doctor.demo.sandbox import Sandbox, Setup
from cognito_doctor.engine.registry import Registry
from cognito_doctor.platform.envfiles import AUTH_ENV, UM_ENV
from cognito_doctor.platform.settings import RunConfig
from cognito_doctor.remediation.apply import StepOutcome
from cognito_doctor.remediation.run import apply_fixes, plan_fixes
from tests.support.net import Fault
from tests.support.netkit import Net, middleware_sandbox

COMMENTED_UM = (
    "# user-management: the Cognito provider (mock for local dev)\r\n"
    "COGNITO_PROVIDER=mock   # switched by the runbook's step 3\r\n"
    "\r\n"
    "COGNITO_USER_POOL_ID={pool}\r\n"
    "COGNITO_REGION=eu-west-2\r\n"
    "# AWS SDK creds\r\n"
    "AWS_ACCESS_KEY_ID={key}\r\n"
    "AWS_SECRET_ACCESS_KEY='{secret}'\r\n"
)
FIVE_WAYS = {
    "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": False},
    "AutoVerifiedAttributes": [],
    "AccountRecoverySetting": {"RecoveryMechanisms": [{"Priority": 1, "Name": "admin_only"}]},
}
INTENDED = {"AdminCreateUserConfig", "AutoVerifiedAttributes", "AccountRecoverySetting"}


def five_ways_broken(sandbox: Sandbox, root: Path) -> Setup:
    """Self-signup on, no email auto-verification, recovery admin_only, a client without the
    admin flow, and COGNITO_PROVIDER=mock in a commented, CRLF .env."""
    setup = sandbox.create_setup(
        root,
        pool_changes=FIVE_WAYS,
        client_changes={"ExplicitAuthFlows": ["ALLOW_REFRESH_TOKEN_AUTH"]},
    )
    (root / UM_ENV).write_bytes(
        COMMENTED_UM.format(
            pool=setup.pool_id,
            key=setup.um_env["AWS_ACCESS_KEY_ID"],
            secret=setup.um_env["AWS_SECRET_ACCESS_KEY"],
        ).encode()
    )
    return setup


def fix(*args: str, input: str | None = None) -> Result:
    result = CliRunner().invoke(main, ["fix", *args], input=input, catch_exceptions=False)
    assert "Traceback" not in result.stdout + result.stderr
    return result


def describe(sandbox: Sandbox, setup: Setup) -> dict[str, Any]:
    pool: dict[str, Any] = sandbox.client("cognito-idp").describe_user_pool(
        UserPoolId=setup.pool_id
    )["UserPool"]
    return pool


def describe_client(sandbox: Sandbox, setup: Setup, client_id: str = "") -> dict[str, Any]:
    client: dict[str, Any] = sandbox.client("cognito-idp").describe_user_pool_client(
        UserPoolId=setup.pool_id, ClientId=client_id or setup.client_id
    )["UserPoolClient"]
    return client


def test_fix_plans_one_command_per_resource_and_writes_nothing(
    sandbox: Sandbox, tmp_path: Path, profile: str
) -> None:
    setup = five_ways_broken(sandbox, tmp_path)
    pool_before, client_before = describe(sandbox, setup), describe_client(sandbox, setup)
    env_before = (tmp_path / UM_ENV).read_bytes()
    where = ["--root", str(tmp_path), "--endpoint-url", sandbox.endpoint_url]
    result = fix(*where, "--profile", profile)
    assert result.exit_code == 1, result.stdout + result.stderr
    out = result.stdout
    assert out.count("aws cognito-idp update-user-pool ") == 1
    assert out.count("aws cognito-idp update-user-pool-client ") == 1
    for member in (
        "AllowAdminCreateUserOnly: false → true",
        'AutoVerifiedAttributes: (not set) → ["email"]',
    ):
        assert member in out
    assert "pool.self-signup, pool.email-verification, pool.account-recovery" in out
    assert "-COGNITO_PROVIDER=mock   # switched by the runbook's step 3" in out
    assert "+COGNITO_PROVIDER=cognito   # switched by the runbook's step 3" in out
    # Every aws command carries the run's target.
    commands = [line.strip() for line in out.splitlines() if line.strip().startswith("aws ")]
    assert commands
    for command in commands:
        assert f"--profile {profile}" in command
        assert f"--endpoint-url {sandbox.endpoint_url}" in command
    # The one update-user-pool has every change applied to the whole configuration.
    update = next(c for c in commands if " update-user-pool " in c)
    body = json.loads(shlex.split(update)[shlex.split(update).index("--cli-input-json") + 1])
    assert body["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert body["AutoVerifiedAttributes"] == ["email"]
    assert body["AccountRecoverySetting"]["RecoveryMechanisms"] == [
        {"Priority": 1, "Name": "verified_email"}
    ]
    assert body["EmailConfiguration"] == pool_before["EmailConfiguration"]
    # Nothing was written.
    assert describe(sandbox, setup) == pool_before
    assert describe_client(sandbox, setup) == client_before
    assert (tmp_path / UM_ENV).read_bytes() == env_before
    assert not list(tmp_path.rglob("*.bak"))


def test_fix_apply_yes_fixes_all_five_and_only_those(sandbox: Sandbox, tmp_path: Path) -> None:
    setup = five_ways_broken(sandbox, tmp_path)
    before = describe(sandbox, setup)
    env_before = (tmp_path / UM_ENV).read_bytes()
    where = ["--root", str(tmp_path), "--endpoint-url", sandbox.endpoint_url]
    result = fix(*where, "--apply", "--yes")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "Applied:" in result.stdout and "Partly" not in result.stdout
    after = describe(sandbox, setup)
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    assert changed == INTENDED | {"LastModifiedDate"}
    assert after["UsernameAttributes"] == ["email"]  # kept, as AWS keeps it
    flows = describe_client(sandbox, setup)["ExplicitAuthFlows"]
    assert flows == ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    # The .env: one value changed; comments, order, quoting and CRLF kept; a backup beside it.
    env_after = (tmp_path / UM_ENV).read_bytes()
    assert env_after == env_before.replace(b"PROVIDER=mock ", b"PROVIDER=cognito ")
    backup = tmp_path / (UM_ENV + ".cognito-doctor.bak")
    assert backup.read_bytes() == env_before
    # The re-check passes what was planned; a plan of the fixed setup has nothing to do.
    assert "✗ 0 failed" in result.stdout
    again = fix(*where, "--offline")
    assert "env.provider" not in again.stdout


def test_apply_without_a_terminal_and_without_yes_refuses(sandbox: Sandbox, tmp_path: Path) -> None:
    setup = five_ways_broken(sandbox, tmp_path)
    before = describe(sandbox, setup)
    result = fix("--root", str(tmp_path), "--endpoint-url", sandbox.endpoint_url, "--apply")
    assert result.exit_code == 2
    assert "not a terminal" in result.stderr and "--yes" in result.stderr
    assert describe(sandbox, setup) == before


def test_apply_on_a_terminal_asks_and_a_no_changes_nothing(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup = five_ways_broken(sandbox, tmp_path)
    before = describe(sandbox, setup)
    monkeypatch.setattr(sys.modules["cognito_doctor.cli.fix"], "interactive", lambda: True)
    where = ["--root", str(tmp_path), "--endpoint-url", sandbox.endpoint_url]
    result = fix(*where, "--apply", input="n\n")
    assert "Apply this plan?" in result.stdout
    assert "Nothing was changed." in result.stdout
    assert describe(sandbox, setup) == before


def test_a_change_made_between_plan_and_apply_is_refused(
    sandbox: Sandbox, tmp_path: Path, registry: Registry
) -> None:
    setup = five_ways_broken(sandbox, tmp_path)
    run = plan_fixes(RunConfig(root=tmp_path, endpoint_url=sandbox.endpoint_url), registry)
    # Someone changes the pool after the plan was made.
    idp = sandbox.client("cognito-idp")
    current = describe(sandbox, setup)
    idp.update_user_pool(
        UserPoolId=setup.pool_id,
        AdminCreateUserConfig=current["AdminCreateUserConfig"],
        AutoVerifiedAttributes=["email"],
        AccountRecoverySetting=current["AccountRecoverySetting"],
        DeletionProtection="ACTIVE",
    )
    theirs = describe(sandbox, setup)
    result = apply_fixes(run)
    steps = {step.item.resource.value: step for step in result.applied.steps}
    assert steps["pool"].outcome is StepOutcome.REFUSED
    assert "changed since the plan was made" in steps["pool"].detail
    assert steps["client"].outcome is StepOutcome.NOT_ATTEMPTED
    assert not result.ok
    assert describe(sandbox, setup) == theirs  # their change stands
    assert b"COGNITO_PROVIDER=mock" in (tmp_path / UM_ENV).read_bytes()


@pytest.fixture
def net() -> Iterator[Net]:
    with middleware_sandbox() as started:
        yield started


def test_a_partial_failure_says_what_was_applied_and_what_was_not(
    sandbox: Sandbox, net: Net, tmp_path: Path
) -> None:
    setup = five_ways_broken(sandbox, tmp_path)
    net.middleware.inject(
        "cognito-idp:UpdateUserPoolClient",
        Fault.ERROR,
        code="AccessDeniedException",
        message="User: arn:aws:iam::123456789012:user/ops is not authorized to perform: "
        "cognito-idp:UpdateUserPoolClient",
    )
    result = fix("--root", str(tmp_path), "--endpoint-url", net.endpoint_url, "--apply", "--yes")
    assert result.exit_code == 1
    out = result.stdout
    assert "Partly applied:" in out
    assert f"applied       user pool {setup.pool_id}" in out
    assert f"failed        app client {setup.client_id}" in out
    assert "UpdateUserPoolClient" in out
    assert f"not attempted {UM_ENV}" in out
    assert "Not applied:" in out
    assert describe(sandbox, setup)["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert b"COGNITO_PROVIDER=mock" in (tmp_path / UM_ENV).read_bytes()


def test_the_new_pool_part_is_printed_and_never_applied(sandbox: Sandbox, tmp_path: Path) -> None:
    setup = sandbox.create_setup(tmp_path, pool_changes={"UsernameAttributes": []})
    pools = len(sandbox.client("cognito-idp").list_user_pools(MaxResults=60)["UserPools"])
    where = ["--root", str(tmp_path), "--endpoint-url", sandbox.endpoint_url]
    result = fix(*where, "--apply", "--yes")
    out = result.stdout
    assert "Needs a new pool (never applied: pool.email-sign-in" in out
    create = next(line.strip() for line in out.splitlines() if "create-user-pool " in line)
    body = json.loads(shlex.split(create)[shlex.split(create).index("--cli-input-json") + 1])
    assert body["UsernameAttributes"] == ["email"]
    assert body["UsernameConfiguration"] == {"CaseSensitive": False}
    assert body["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert "Migrate the users" in out and "COGNITO_USER_POOL_ID=<new-pool-id>" in out
    assert "Nothing to apply." in out and result.exit_code == 1
    assert len(sandbox.client("cognito-idp").list_user_pools(MaxResults=60)["UserPools"]) == pools
    assert describe(sandbox, setup)["UsernameAttributes"] == []


def test_another_applications_client_is_never_changed(sandbox: Sandbox, tmp_path: Path) -> None:
    setup = sandbox.create_setup(tmp_path)
    spa = sandbox.client("cognito-idp").create_user_pool_client(
        UserPoolId=setup.pool_id,
        ClientName="patient-portal-spa",
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]
    auth = (tmp_path / AUTH_ENV).read_text().replace(setup.client_id, spa["ClientId"])
    (tmp_path / AUTH_ENV).write_text(auth)
    where = ["--root", str(tmp_path), "--endpoint-url", sandbox.endpoint_url]
    check = CliRunner().invoke(main, ["check", *where, "--only", "client.*", "-v"])
    said = " ".join(check.stdout.split())
    assert "not the clinical-platform client" in said
    assert f"COGNITO_APP_CLIENT_ID={setup.client_id}" in said
    assert "delete-user-pool-client" not in said
    assert "update-user-pool-client" not in said
    spa_before = describe_client(sandbox, setup, spa["ClientId"])
    result = fix(*where, "--apply", "--yes")
    assert "update-user-pool-client" not in result.stdout
    assert f"COGNITO_APP_CLIENT_ID: {spa['ClientId']} → {setup.client_id}" in result.stdout
    assert describe_client(sandbox, setup, spa["ClientId"]) == spa_before
    assert f"COGNITO_APP_CLIENT_ID={setup.client_id}" in (tmp_path / AUTH_ENV).read_text()
