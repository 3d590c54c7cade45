"""`cognito-doctor triage` end to end against moto's server: each runbook row names its cause
and runs the checks that confirm it; user states, offline mode, bad input, and secrets."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cognito_doctor.cli import main
from cognito_doctor.demo.sandbox import Sandbox, Setup, service_policy
from cognito_doctor.engine.registry import Registry
from cognito_doctor.oncall.triage import CONFIRMED, POSSIBLE, RULED_OUT, UNCHECKED, triage
from cognito_doctor.platform.settings import RunConfig

UNKNOWN_CLIENT_ID = "7q2m5n8b1v4c6x9z3l0k2j4h6g"


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["triage", *args], input=input, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def run_json(setup: Setup, sandbox: Sandbox, *args: str) -> tuple[int, dict[str, Any]]:
    code, out, err = run(
        *args,
        "--root",
        str(setup.root),
        "--endpoint-url",
        sandbox.endpoint_url,
        "--format",
        "json",
    )
    assert "Traceback" not in err
    return code, json.loads(out)


def diagnosis(report: dict[str, Any], entry_id: str) -> dict[str, Any]:
    for found in report["diagnoses"]:
        if found["id"] == entry_id:
            return found
    raise AssertionError(f"{entry_id} not diagnosed: {[d['id'] for d in report['diagnoses']]}")


def top(report: dict[str, Any]) -> dict[str, Any]:
    return min(report["diagnoses"], key=lambda d: d["rank"])


def evidence(found: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["subject"] if e["kind"] == "check" else "user": e for e in found["evidence"]}


def invite(sandbox: Sandbox, setup: Setup, email: str) -> None:
    sandbox.client("cognito-idp").admin_create_user(
        UserPoolId=setup.pool_id,
        Username=email,
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "name", "Value": "A Person"}],
    )


@pytest.fixture
def healthy(sandbox: Sandbox, tmp_path: Path) -> Setup:
    return sandbox.create_setup(tmp_path / "healthy")


# --- the runbook's "Things that bite", one row each ---------------------------------------


def test_row_no_email_names_the_default_sender_and_checks_every_cause(
    sandbox: Sandbox, healthy: Setup
) -> None:
    code, report = run_json(healthy, sandbox, "Promote succeeds but no email arrives")
    assert code == 0  # nothing confirmed: COGNITO_DEFAULT only makes the cause possible
    found = top(report)
    assert found["id"] == "invite-default-sender"
    assert found["runbook"] == "Promote succeeds but no email arrives"
    assert found["verdict"] == POSSIBLE
    assert evidence(found)["pool.email-sending"]["status"] == "warn"
    assert "50 emails a day" in found["cause"]
    # The fix is filled in with this setup's real pool id and region.
    assert f"--user-pool-id {healthy.pool_id}" in found["fix"]
    assert "--region eu-west-2" in found["fix"]
    # The other causes of a missing invitation were checked too.
    mock = diagnosis(report, "invite-mock-provider")
    assert mock["verdict"] == RULED_OUT
    assert evidence(mock)["env.provider"]["status"] == "pass"
    sandbox_entry = diagnosis(report, "invite-ses-sandbox")
    assert sandbox_entry["verdict"] == UNCHECKED
    assert "applies only with DEVELOPER email sending" in sandbox_entry["reason"]


def test_row_no_email_on_a_mock_setup_confirms_the_mock_provider(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    setup = sandbox.create_setup(tmp_path / "mock", um_changes={"COGNITO_PROVIDER": "mock"})
    code, report = run_json(setup, sandbox, "Promote succeeds but no email arrives")
    assert code == 1
    first = report["diagnoses"][0]  # confirmed causes come first
    assert first["id"] == "invite-mock-provider"
    assert first["verdict"] == CONFIRMED
    assert "mock mode never calls AdminCreateUser" in evidence(first)["env.provider"]["message"]
    assert "COGNITO_PROVIDER=cognito" in first["fix"]


def test_row_user_not_found_confirms_a_deleted_user_and_says_it_can_be_invited_again(
    sandbox: Sandbox, healthy: Setup
) -> None:
    invite(sandbox, healthy, "gone@clinic.test")
    sandbox.client("cognito-idp").admin_delete_user(
        UserPoolId=healthy.pool_id, Username="gone@clinic.test"
    )
    code, report = run_json(
        healthy, sandbox, 'Email arrives, link returns "User not found" (gone@clinic.test)'
    )
    assert code == 1
    found = top(report)
    assert found["id"] == "user-not-found"
    assert found["verdict"] == CONFIRMED
    seen = evidence(found)
    assert seen["user"]["status"] == "not_found" and seen["user"]["role"] == "confirms"
    assert seen["env.pool-id"]["status"] == "pass" and seen["pool.exists"]["status"] == "pass"
    # The runbook's 14-day claim is corrected with what AWS documents.
    assert "no cool-off to wait out" in found["fix"]
    assert "--username gone@clinic.test" in found["fix"]
    assert "A username can be reused" in found["documented"]
    assert "14 days" in found["documented"]


def test_row_user_not_found_is_ruled_out_when_the_user_exists(
    sandbox: Sandbox, healthy: Setup
) -> None:
    invite(sandbox, healthy, "here@clinic.test")
    code, report = run_json(healthy, sandbox, 'link returns "User not found" for here@clinic.test')
    assert code == 0
    found = diagnosis(report, "user-not-found")
    assert found["verdict"] == RULED_OUT
    assert evidence(found)["user"]["role"] == "rules_out"
    assert "FORCE_CHANGE_PASSWORD" in evidence(found)["user"]["message"]


def test_row_access_denied_is_confirmed_by_the_iam_check_on_a_wrong_region_policy(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    setup = sandbox.create_setup(
        tmp_path / "denied",
        policy=lambda region, account, pool_id: service_policy("us-east-1", account, pool_id),
    )
    code, report = run_json(setup, sandbox, "Promote 500s with AccessDeniedException")
    assert code == 1
    found = top(report)
    assert found["id"] == "access-denied-resource-arn"
    assert found["verdict"] == CONFIRMED
    seen = evidence(found)
    assert seen["iam.actions"]["status"] == "fail"
    assert "us-east-1" in seen["iam.actions"]["message"]
    assert seen["env.pool-id"]["status"] == "pass"
    assert f"userpool/{setup.pool_id}" in found["fix"]


def test_row_access_denied_is_ruled_out_on_a_healthy_setup(
    sandbox: Sandbox, healthy: Setup
) -> None:
    code, report = run_json(healthy, sandbox, "Promote 500s with AccessDeniedException")
    assert code == 0
    found = top(report)
    assert found["verdict"] == RULED_OUT
    assert evidence(found)["iam.actions"]["status"] == "pass"


def test_row_not_authorized_is_confirmed_when_the_secret_is_missing(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    setup = sandbox.create_setup(tmp_path / "nokeys", um_changes={"AWS_SECRET_ACCESS_KEY": None})
    code, report = run_json(setup, sandbox, "Promote 500s with NotAuthorizedException")
    assert code == 1
    found = top(report)
    assert found["id"] == "service-keys-not-accepted"
    assert found["verdict"] == CONFIRMED
    assert evidence(found)["env.aws-credentials"]["status"] == "fail"
    assert "AWS_SECRET_ACCESS_KEY" in evidence(found)["env.aws-credentials"]["message"]
    assert "CredentialsProviderError" in found["documented"]


def test_row_409_has_no_live_check_and_says_how_to_check_by_hand(
    sandbox: Sandbox, healthy: Setup
) -> None:
    code, report = run_json(
        healthy, sandbox, "User created in Cognito but later promote fails with 409"
    )
    assert code == 0
    found = top(report)
    assert found["id"] == "user-row-conflict"
    assert found["verdict"] == UNCHECKED
    assert found["evidence"] == []
    assert "external_id" in found["manual_check"] and "mock-" in found["manual_check"]
    assert "Delete the orphaned User row" in found["fix"]


def test_row_tokens_rejected_is_confirmed_when_the_client_id_is_not_in_the_pool(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    setup = sandbox.create_setup(
        tmp_path / "aud", auth_changes={"COGNITO_APP_CLIENT_ID": UNKNOWN_CLIENT_ID}
    )
    code, report = run_json(
        setup, sandbox, "Auth tokens minted by Cognito rejected by services/auth"
    )
    assert code == 1
    found = top(report)
    assert found["id"] == "token-audience"
    assert found["verdict"] == CONFIRMED
    assert evidence(found)["client.exists"]["status"] == "fail"
    assert "cognito-doctor token -" in found["next"]


def test_row_tokens_rejected_on_a_consistent_setup_is_not_ruled_out(
    sandbox: Sandbox, healthy: Setup
) -> None:
    # A COGNITO_APP_CLIENT_ID that names a real client may still not be the tokens' client:
    # only `cognito-doctor token` can tell, so triage must not claim the cause is ruled out.
    code, report = run_json(healthy, sandbox, "services/auth rejects every token")
    assert code == 0
    found = top(report)
    assert found["id"] == "token-audience"
    assert found["verdict"] == UNCHECKED
    assert "can neither confirm nor rule this cause out" in found["reason"]
    assert "cognito-doctor token -" in found["next"]


# --- the other failures ---------------------------------------------------------


def test_log_file_with_mock_lines_confirms_the_mock_provider(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    setup = sandbox.create_setup(tmp_path / "mock", um_changes={"COGNITO_PROVIDER": "mock"})
    log = tmp_path / "user-management.log"
    log.write_text(
        "10:11:10 INFO POST /users/promote 201\n"
        "10:11:12 INFO [MOCK] Created user mock-3f0c2a4e-9b1d-4c55-8f00-0c1d2e3f4a5b for "
        "ann@clinic.test\n",
        encoding="utf-8",
    )
    code, report = run_json(setup, sandbox, "--log", str(log))
    assert code == 1
    assert report["input"]["source"] == f"--log {log}"
    found = top(report)
    assert found["id"] == "invite-mock-provider" and found["verdict"] == CONFIRMED


def test_disabled_user_named_in_the_error_is_confirmed(sandbox: Sandbox, healthy: Setup) -> None:
    invite(sandbox, healthy, "off@clinic.test")
    sandbox.client("cognito-idp").admin_disable_user(
        UserPoolId=healthy.pool_id, Username="off@clinic.test"
    )
    code, report = run_json(
        healthy, sandbox, "NotAuthorizedException: User is disabled. user=off@clinic.test"
    )
    assert code == 1
    found = top(report)
    assert found["id"] == "user-disabled" and found["verdict"] == CONFIRMED
    assert "admin-enable-user" in found["fix"] and "--username off@clinic.test" in found["fix"]


def test_existing_username_is_confirmed(sandbox: Sandbox, healthy: Setup) -> None:
    invite(sandbox, healthy, "twice@clinic.test")
    code, report = run_json(
        healthy, sandbox, "UsernameExistsException: User account already exists twice@clinic.test"
    )
    assert code == 1
    found = top(report)
    assert found["id"] == "username-exists" and found["verdict"] == CONFIRMED
    assert "--message-action RESEND" in found["fix"]


def test_expired_invitation_is_confirmed_with_the_clock_moved(
    sandbox: Sandbox, healthy: Setup, registry: Registry
) -> None:
    invite(sandbox, healthy, "late@clinic.test")
    created = sandbox.client("cognito-idp").admin_get_user(
        UserPoolId=healthy.pool_id, Username="late@clinic.test"
    )["UserCreateDate"]
    config = RunConfig(root=healthy.root, endpoint_url=sandbox.endpoint_url)
    text = "Temporary password has expired and must be reset by an administrator (late@clinic.test)"
    result = triage(text, config, registry, now=created + timedelta(days=8))
    found = result.diagnoses[0]
    assert found.entry.id == "invitation-expired" and found.verdict == CONFIRMED
    assert result.confirmed
    # A day after the invitation, the same error is not this cause.
    result = triage(text, config, registry, now=created + timedelta(days=1))
    assert result.diagnoses[-1].entry.id == "invitation-expired"
    assert result.diagnoses[-1].verdict == RULED_OUT


def test_code_delivery_failure_is_confirmed_by_an_unverified_ses_identity(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    setup = sandbox.create_setup(
        tmp_path / "ses",
        pool_changes={
            "EmailConfiguration": {
                "EmailSendingAccount": "DEVELOPER",
                "SourceArn": "arn:aws:ses:eu-west-1:123456789012:identity/never-verified.test",
            }
        },
    )
    code, report = run_json(setup, sandbox, "CodeDeliveryFailureException when inviting")
    assert code == 1
    found = top(report)
    assert found["id"] == "invite-code-delivery-failure" and found["verdict"] == CONFIRMED
    seen = evidence(found)
    assert seen["email.ses-identity"]["status"] == "fail"
    assert "never-verified.test" in seen["email.ses-identity"]["message"]
    # moto has no SESv2 GetAccount: the check errors with a clear reason, nothing crashes.
    assert seen["email.ses-production"]["status"] == "error"
    assert "not answered by this endpoint" in seen["email.ses-production"]["message"]


def test_a_check_missing_from_the_installation_is_reported_not_run(
    sandbox: Sandbox, healthy: Setup, registry: Registry
) -> None:
    without_iam = Registry(
        checks={k: v for k, v in registry.checks.items() if k != "iam.actions"},
        facts=dict(registry.facts),
    )
    config = RunConfig(root=healthy.root, endpoint_url=sandbox.endpoint_url)
    result = triage("Promote 500s with AccessDeniedException", config, without_iam)
    found = result.diagnoses[0]
    assert found.verdict == UNCHECKED
    missing = next(e for e in found.evidence if e.subject == "iam.actions")
    assert missing.status == "unavailable"
    assert "not part of this installation" in found.reason


# --- input, modes and output ------------------------------------------------------------


def test_stdin_is_read_with_a_dash(sandbox: Sandbox, healthy: Setup) -> None:
    code, out, _ = run(
        "-",
        "--root",
        str(healthy.root),
        "--endpoint-url",
        sandbox.endpoint_url,
        input="NotAuthorizedException: Password attempts exceeded\n",
    )
    assert code == 0
    words = " ".join(out.split())
    assert "password-attempts-exceeded" in words
    assert "After five failed password attempts Cognito locks the user out" in words


def test_offline_gives_the_diagnosis_without_running_any_check(healthy: Setup) -> None:
    # Nothing listens on port 9: any AWS call would fail or hang, so none may be made.
    code, out, err = run(
        "Promote 500s with AccessDeniedException",
        "--root",
        str(healthy.root),
        "--endpoint-url",
        "http://127.0.0.1:9",
        "--offline",
        "--format",
        "json",
    )
    assert code == 0, err
    report = json.loads(out)
    assert report["offline"] is True
    found = top(report)
    assert found["id"] == "access-denied-resource-arn"
    assert found["verdict"] == UNCHECKED
    assert {e["status"] for e in found["evidence"]} == {"not run"}
    assert "--offline" in found["reason"]
    # The fix is still filled in from the .env files.
    assert f"userpool/{healthy.pool_id}" in found["fix"]


def test_offline_triage_does_not_import_boto3(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from cognito_doctor.cli import main\n"
        "result = CliRunner().invoke(main, ['triage', 'SignatureDoesNotMatch', '--offline',\n"
        f"    '--root', {str(tmp_path)!r}])\n"
        "assert result.exit_code == 0, result.output\n"
        "assert 'aws-secret-mismatch' in result.output\n"
        "print('boto3' in sys.modules, 'botocore' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "False False"


def test_table_output_names_verdict_cause_fix_and_summary(sandbox: Sandbox, tmp_path: Path) -> None:
    setup = sandbox.create_setup(tmp_path / "mock", um_changes={"COGNITO_PROVIDER": "mock"})
    code, out, _ = run(
        "the invite never arrived",
        "--root",
        str(setup.root),
        "--endpoint-url",
        sandbox.endpoint_url,
    )
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith("4 known failures match")
    assert any(line.startswith("✗ CONFIRMED   invite-mock-provider") for line in lines)
    assert any(line.startswith("! POSSIBLE    invite-default-sender") for line in lines)
    words = " ".join(out.split())
    assert "verdict confirmed by env.provider (fail)" in words
    assert "fix Set COGNITO_PROVIDER=cognito in services/user-management/.env" in words
    assert lines[-1] == "1 confirmed, 1 possible, 0 ruled out, 2 couldn't be checked."


def test_no_match_says_so_and_exits_0(healthy: Setup) -> None:
    code, out, _ = run("the coffee machine is broken", "--root", str(healthy.root), "--offline")
    assert code == 0
    assert out.startswith("No known failure matches this input")
    assert "cognito-doctor check" in out


def test_binary_log_is_refused_without_a_traceback(tmp_path: Path) -> None:
    log = tmp_path / "core.dump"
    log.write_bytes(b"\x7fELF\x02\x01\x01\x00\x00\x00" + bytes(range(256)))
    code, out, err = run("--log", str(log), "--root", str(tmp_path))
    assert code == 2
    assert "looks binary" in err
    assert "Traceback" not in err and out == ""


def test_non_utf8_log_is_refused(tmp_path: Path) -> None:
    log = tmp_path / "latin.log"
    log.write_bytes(bytes(range(0x80, 0x100)) * 4)
    code, _, err = run("--log", str(log), "--root", str(tmp_path))
    assert code == 2
    assert "not UTF-8 text" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "give TEXT"),
        (("   ",), "give TEXT"),
        (("some text", "--log", "x.log"), "not both"),
        (("--log", "does-not-exist.log"), "cannot read --log"),
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    code, _, err = run(*args, "--root", str(tmp_path))
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_empty_stdin_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = run("-", "--root", str(tmp_path), input="")
    assert code == 2
    assert "standard input is empty" in err


def test_a_token_pasted_with_the_error_is_never_echoed(sandbox: Sandbox, healthy: Setup) -> None:
    jwt = (
        "eyJraWQiOiJkdW1teSIsImFsZyI6IlJTMjU2In0.eyJzdWIiOiJhYmMiLCJ0b2tlbl91c2UiOiJpZCJ9."
        "c2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJl"
    )
    text = f"TokenExpiredError: jwt expired for Authorization: Bearer {jwt}"
    for output_format in ("table", "json"):
        code, out, err = run(
            text,
            "--root",
            str(healthy.root),
            "--endpoint-url",
            sandbox.endpoint_url,
            "--format",
            output_format,
        )
        assert code == 0
        assert "token-expired" in out
        assert jwt not in out and jwt not in err
        assert jwt.split(".")[1] not in out


def test_triage_uses_the_config_files_env_paths(tmp_path: Path) -> None:
    """A config file's .env paths are where triage reads the settings it fills in."""
    from click.testing import CliRunner

    from cognito_doctor.cli import main
    from cognito_doctor.demo.sandbox import write_env_file

    pool = "eu-west-2_Stag1ng42"
    write_env_file(
        tmp_path / "deploy/staging/um.env",
        {
            "COGNITO_PROVIDER": "cognito",
            "COGNITO_USER_POOL_ID": pool,
            "COGNITO_REGION": "eu-west-2",
        },
    )
    write_env_file(
        tmp_path / "deploy/staging/auth.env",
        {"COGNITO_USER_POOL_ID": pool, "COGNITO_REGION": "eu-west-2"},
    )
    (tmp_path / "cognito-doctor.toml").write_text(
        '[environments.staging]\npaths = { user_management = "deploy/staging/um.env", '
        'auth = "deploy/staging/auth.env" }\n'
    )
    result = CliRunner().invoke(
        main,
        [
            "triage",
            "--offline",
            "--root",
            str(tmp_path),
            "--env",
            "staging",
            "the invite never arrived",
        ],
    )
    assert result.exit_code == 0, result.output
    assert f"--user-pool-id {pool}" in result.stdout
    unknown = CliRunner().invoke(
        main, ["triage", "--offline", "--root", str(tmp_path), "--env", "qa", "x"]
    )
    assert unknown.exit_code == 2
    assert "'qa'" in unknown.stderr


# --- issue 14: the text's facts, logs, ignores, unknown errors, the schema ---------------


def _schema_valid(report: dict[str, Any]) -> None:
    import jsonschema

    from cognito_doctor.oncall.triage_report import triage_schema

    jsonschema.validate(report, triage_schema())


def test_mock_lines_after_the_env_says_cognito_mean_restart_the_service(
    sandbox: Sandbox, healthy: Setup, tmp_path: Path
) -> None:
    log = tmp_path / "um.log"
    log.write_text(
        "10:11:12 INFO [MOCK] Created user mock-3f0c2a4e-9b1d-4c55-8f00-0c1d2e3f4a5b for "
        "ann@clinic.test\n",
        encoding="utf-8",
    )
    code, report = run_json(healthy, sandbox, "--log", str(log))
    _schema_valid(report)
    assert code == 1
    found = top(report)
    assert found["id"] == "invite-mock-provider"
    assert found["verdict"] == CONFIRMED  # the log proves it, whatever the .env says now
    seen = {e["kind"]: e for e in found["evidence"]}
    assert "restart user-management" in seen["text"]["message"]
    assert evidence(found)["env.provider"]["role"] == "neutral"


def test_a_cause_is_judged_only_with_the_users_of_its_own_lines(
    sandbox: Sandbox, healthy: Setup, tmp_path: Path
) -> None:
    invite(sandbox, healthy, "off@clinic.test")
    invite(sandbox, healthy, "fine@clinic.test")
    sandbox.client("cognito-idp").admin_disable_user(
        UserPoolId=healthy.pool_id, Username="off@clinic.test"
    )
    log = tmp_path / "auth.log"
    log.write_text(
        "10:00 [7f1e2d3c-1111-4222-8333-944455556666] sign-in fine@clinic.test\n"
        "10:00 [7f1e2d3c-1111-4222-8333-944455556666] NotAuthorizedException: User is disabled.\n"
        "10:05 [00aa00aa-1111-4222-8333-944455556666] sign-in off@clinic.test ok\n",
        encoding="utf-8",
    )
    code, report = run_json(healthy, sandbox, "--log", str(log))
    found = diagnosis(report, "user-disabled")
    # The disabled user is on another request's line: the cause is ruled out for this one.
    assert found["users"] == ["fine@clinic.test"]
    assert found["verdict"] == RULED_OUT
    assert "--username fine@clinic.test" in found["fix"]
    assert code == 0


def test_the_identified_user_fills_the_fix(sandbox: Sandbox, healthy: Setup) -> None:
    invite(sandbox, healthy, "ann@clinic.test")
    code, report = run_json(
        healthy,
        sandbox,
        "UnsupportedUserStateException: Resend not possible. ann@clinic.test status is not "
        "FORCE_CHANGE_PASSWORD",
    )
    found = top(report)
    assert found["id"] == "resend-not-possible"
    assert "--username ann@clinic.test" in found["fix"]
    assert "<EMAIL>" not in found["fix"]
    # The invited user is FORCE_CHANGE_PASSWORD: a resend is possible, so this is ruled out.
    assert found["verdict"] == RULED_OUT
    assert code == 0


def test_a_config_ignore_does_not_blind_triage_and_is_named(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    setup = sandbox.create_setup(tmp_path / "mock", um_changes={"COGNITO_PROVIDER": "mock"})
    (setup.root / "cognito-doctor.toml").write_text(
        '[[ignore]]\ncheck = "env.provider"\nreason = "dev stack runs the mock on purpose"\n'
    )
    code, report = run_json(setup, sandbox, "Promote succeeds but no email arrives")
    _schema_valid(report)
    assert code == 1
    mock = diagnosis(report, "invite-mock-provider")
    assert mock["verdict"] == CONFIRMED
    assert any("ignores env.provider for the CI gate" in n for n in report["notes"])


def test_an_unknown_error_gets_its_facts_compared_and_the_full_check(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    setup = sandbox.create_setup(
        tmp_path / "aud", auth_changes={"COGNITO_APP_CLIENT_ID": UNKNOWN_CLIENT_ID}
    )
    code, report = run_json(
        setup,
        sandbox,
        "SomethingNewException: request to https://cognito-idp.eu-west-22.amazonaws.com/ "
        "failed for client_id: 1a2b3c4d5e6f7g8h9i0j1k2l3m",
    )
    _schema_valid(report)
    assert report["diagnoses"] == []
    assert "SomethingNewException" in report["facts"]["exceptions"]
    bearings = {(f["subject"], f["bearing"]) for f in report["findings"]}
    assert ("region", "invalid") in bearings and ("client_id", "differs") in bearings
    failed = {f["id"] for f in report["full_check"]}
    assert "client.exists" in failed
    assert code == 1  # a check of the full run failed
    _, out, _ = run(
        "SomethingNewException: eu-west-22",
        "--root",
        str(setup.root),
        "--endpoint-url",
        sandbox.endpoint_url,
    )
    assert "names SomethingNewException" in out
    assert "region eu-west-22, which doesn't exist" in out
    assert "the full check found" in out


def test_nothing_to_work_with_says_what_to_paste(healthy: Setup) -> None:
    code, out, _ = run("it is broken again", "--root", str(healthy.root), "--offline")
    assert code == 0
    assert "no diagnosis" in out and "Paste the exact error message" in out


def test_triage_json_is_valid_against_the_printed_schema(sandbox: Sandbox, healthy: Setup) -> None:
    import jsonschema

    result = CliRunner().invoke(main, ["schema", "--triage"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    for text in ("Promote 500s with AccessDeniedException", "User is disabled ann@clinic.test"):
        _, report = run_json(healthy, sandbox, text)
        jsonschema.validate(report, schema)
    broken = dict(report, summary={"matches": -1})
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_token_and_user_take_env_and_the_config_files_paths(tmp_path: Path) -> None:
    from cognito_doctor.demo.sandbox import write_env_file

    write_env_file(
        tmp_path / "deploy/prod/um.env",
        {"COGNITO_USER_POOL_ID": "eu-west-2_Pr0d", "COGNITO_REGION": "eu-west-2"},
    )
    write_env_file(
        tmp_path / "deploy/prod/auth.env",
        {"COGNITO_USER_POOL_ID": "eu-west-2_Pr0d", "COGNITO_REGION": "eu-west-2"},
    )
    (tmp_path / "cognito-doctor.toml").write_text(
        '[environments.prod]\npaths = { user_management = "deploy/prod/um.env", '
        'auth = "deploy/prod/auth.env" }\n'
    )
    jwt = (
        "eyJraWQiOiJrMSIsImFsZyI6IlJTMjU2In0.eyJpc3MiOiJodHRwczovL2NvZ25pdG8taWRwLmV1LXdlc3Qt"
        "Mi5hbWF6b25hd3MuY29tL2V1LXdlc3QtMl9QcjBkIiwidG9rZW5fdXNlIjoiaWQiLCJleHAiOjF9.c2ln"
    )
    result = CliRunner().invoke(
        main,
        ["token", jwt, "--offline", "--root", str(tmp_path), "--env", "prod", "--format", "json"],
    )
    assert "Traceback" not in result.output
    verdict = json.loads(result.stdout)
    assert verdict["expected"]["issuer"].endswith("/eu-west-2_Pr0d")
    unknown = CliRunner().invoke(main, ["user", "a@b.test", "--root", str(tmp_path), "--env", "qa"])
    assert unknown.exit_code == 2 and "'qa'" in unknown.stderr
