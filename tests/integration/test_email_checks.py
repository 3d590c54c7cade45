"""email.ses-identity and email.ses-production: skipped for Cognito's own sender, checked
against SES (moto's server) for DEVELOPER pools, and, where moto has no SESv2 GetAccount,
against AWS's documented GetAccount response through botocore's Stubber."""

from __future__ import annotations

import inspect
import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore.stub import Stubber
from click.testing import CliRunner

from cognito_doctor.aws.clients import AwsAccess
from cognito_doctor.cli import main
from cognito_doctor.demo.sandbox import Sandbox, Setup
from cognito_doctor.engine.model import Outcome, Report, Rules, Status
from cognito_doctor.engine.registry import Registry
from cognito_doctor.engine.resolve import resolve_facts
from cognito_doctor.facts.context import CheckContext
from cognito_doctor.platform.settings import RunConfig
from tests.conftest import result_of

SES_REGION = "eu-west-1"
ACCOUNT = "123456789012"  # moto's account


def developer(identity: str, from_header: str | None = None) -> dict[str, Any]:
    config: dict[str, Any] = {
        "EmailSendingAccount": "DEVELOPER",
        "SourceArn": f"arn:aws:ses:{SES_REGION}:{ACCOUNT}:identity/{identity}",
    }
    if from_header:
        config["From"] = from_header
    return {"EmailConfiguration": config}


def unique_domain() -> str:
    return f"clinic-{uuid.uuid4().hex[:8]}.test"


def ses_setup(sandbox: Sandbox, root: Path, identity: str, from_header: str | None = None) -> Setup:
    return sandbox.create_setup(root, pool_changes=developer(identity, from_header))


def verify_domain(sandbox: Sandbox, domain: str) -> None:
    sandbox.client("ses", SES_REGION).verify_domain_identity(Domain=domain)


# --- COGNITO_DEFAULT pools: nothing to check, no SES call ---------------------------------


def test_cognito_default_pools_skip_both_checks(
    sandbox: Sandbox, tmp_path: Path, run_report: Callable[..., Report]
) -> None:
    setup = sandbox.create_setup(tmp_path / "default")
    report = run_report(setup.root, endpoint_url=sandbox.endpoint_url, only=("email.*",))
    for check_id in ("email.ses-identity", "email.ses-production"):
        result = result_of(report, check_id)
        assert result.status is Status.SKIP
        assert "applies only with DEVELOPER email sending" in result.outcome.message
        assert "COGNITO_DEFAULT" in result.outcome.message


def test_the_healthy_sandbox_setup_still_exits_0(sandbox: Sandbox, tmp_path: Path) -> None:
    setup = sandbox.create_setup(tmp_path / "healthy")
    result = CliRunner().invoke(
        main,
        [
            "check",
            "--root",
            str(setup.root),
            "--endpoint-url",
            sandbox.endpoint_url,
            "--format",
            "json",
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0
    statuses = {r["id"]: r["status"] for r in json.loads(result.stdout)["results"]}
    assert statuses["email.ses-identity"] == "skip"
    assert statuses["email.ses-production"] == "skip"


# --- DEVELOPER pools against moto's SES --------------------------------------------------


def test_a_verified_domain_and_a_from_address_in_it_pass(
    sandbox: Sandbox, tmp_path: Path, run_report: Callable[..., Report]
) -> None:
    domain = unique_domain()
    verify_domain(sandbox, domain)
    setup = ses_setup(sandbox, tmp_path / "ses", domain, f"Clinic <no-reply@{domain}>")
    report = run_report(setup.root, endpoint_url=sandbox.endpoint_url, only=("email.*",))
    identity = result_of(report, "email.ses-identity")
    assert identity.status is Status.PASS
    assert identity.outcome.message == (
        f"the SES domain {domain} is verified in {SES_REGION}; From no-reply@{domain} is "
        "covered by it"
    )


def test_moto_without_sesv2_get_account_gives_an_error_not_a_crash(
    sandbox: Sandbox, tmp_path: Path, run_report: Callable[..., Report]
) -> None:
    domain = unique_domain()
    verify_domain(sandbox, domain)
    setup = ses_setup(sandbox, tmp_path / "ses", domain)
    report = run_report(setup.root, endpoint_url=sandbox.endpoint_url, only=("email.*",))
    production = result_of(report, "email.ses-production")
    assert production.status is Status.ERROR
    assert "ses:GetAccount is not answered by this endpoint (404)" in production.outcome.message
    assert "could not be checked" in production.outcome.message


def test_an_identity_missing_in_the_arns_region_fails_with_the_command_to_create_it(
    sandbox: Sandbox, tmp_path: Path, run_report: Callable[..., Report]
) -> None:
    domain = unique_domain()
    # Verified, but in the pool's region, not in the region the SourceArn names.
    sandbox.client("ses", "eu-west-2").verify_domain_identity(Domain=domain)
    setup = ses_setup(sandbox, tmp_path / "ses", domain)
    report = run_report(setup.root, endpoint_url=sandbox.endpoint_url, only=("email.*",))
    result = result_of(report, "email.ses-identity")
    assert result.status is Status.FAIL
    assert f"SES in {SES_REGION} has no identity {domain}" in result.outcome.message
    assert result.outcome.fix_command == (
        f"aws sesv2 create-email-identity --region {SES_REGION} "
        f"--endpoint-url {sandbox.endpoint_url} --email-identity {domain}"
    )
    assert "DKIM CNAME records" in result.outcome.fix


def test_a_from_address_outside_the_identity_fails(
    sandbox: Sandbox, tmp_path: Path, run_report: Callable[..., Report]
) -> None:
    domain = unique_domain()
    verify_domain(sandbox, domain)
    setup = ses_setup(sandbox, tmp_path / "ses", domain, "Clinic <no-reply@elsewhere.test>")
    report = run_report(setup.root, endpoint_url=sandbox.endpoint_url, only=("email.ses-identity",))
    result = result_of(report, "email.ses-identity")
    assert result.status is Status.FAIL
    assert (
        f"the pool's From address no-reply@elsewhere.test is not in the domain {domain}"
        in result.outcome.message
    )


def test_an_address_identity_must_be_the_from_address(
    sandbox: Sandbox, tmp_path: Path, run_report: Callable[..., Report]
) -> None:
    address = f"invites@{unique_domain()}"
    sandbox.client("ses", SES_REGION).verify_email_identity(EmailAddress=address)
    setup = ses_setup(sandbox, tmp_path / "ses", address, "other@clinic.test")
    report = run_report(setup.root, endpoint_url=sandbox.endpoint_url, only=("email.ses-identity",))
    result = result_of(report, "email.ses-identity")
    assert result.status is Status.FAIL
    assert f"is not the verified address {address}" in result.outcome.message


@pytest.mark.parametrize(
    ("email_configuration", "words"),
    [
        ({"EmailSendingAccount": "DEVELOPER"}, "the pool has no SourceArn"),
        (
            {"EmailSendingAccount": "DEVELOPER", "SourceArn": f"arn:aws:ses:{SES_REGION}:x"},
            "is not an SES identity ARN",
        ),
    ],
)
def test_a_developer_pool_without_a_usable_source_arn_fails(
    sandbox: Sandbox,
    tmp_path: Path,
    run_report: Callable[..., Report],
    email_configuration: dict[str, str],
    words: str,
) -> None:
    setup = sandbox.create_setup(
        tmp_path / "ses", pool_changes={"EmailConfiguration": email_configuration}
    )
    report = run_report(setup.root, endpoint_url=sandbox.endpoint_url, only=("email.*",))
    identity = result_of(report, "email.ses-identity")
    assert identity.status is Status.FAIL
    assert words in identity.outcome.message
    assert "Authentication methods → Email → Edit" in identity.outcome.fix
    production = result_of(report, "email.ses-production")
    assert production.status is Status.SKIP
    assert "see email.ses-identity" in production.outcome.message


# --- AWS-shaped responses moto can't give (botocore Stubber) ------------------------------

# SESv2 GetAccount's documented response shape (the Stubber also validates it against
# botocore's model): an account in the sandbox with a production-access request under review.
SANDBOX_ACCOUNT: dict[str, Any] = {
    "DedicatedIpAutoWarmupEnabled": False,
    "EnforcementStatus": "HEALTHY",
    "ProductionAccessEnabled": False,
    "SendQuota": {"Max24HourSend": 200.0, "MaxSendRate": 1.0, "SentLast24Hours": 12.0},
    "SendingEnabled": True,
    "SuppressionAttributes": {"SuppressedReasons": ["BOUNCE", "COMPLAINT"]},
    "Details": {
        "MailType": "TRANSACTIONAL",
        "WebsiteURL": "https://clinic.test",
        "ContactLanguage": "EN",
        "UseCaseDescription": "Invitations to the clinical platform",
        "AdditionalContactEmailAddresses": ["ops@clinic.test"],
        "ReviewDetails": {"Status": "PENDING", "CaseId": "1234567890"},
    },
}
PRODUCTION_ACCOUNT: dict[str, Any] = {
    "DedicatedIpAutoWarmupEnabled": False,
    "EnforcementStatus": "HEALTHY",
    "ProductionAccessEnabled": True,
    "SendQuota": {"Max24HourSend": 50000.0, "MaxSendRate": 14.0, "SentLast24Hours": 340.0},
    "SendingEnabled": True,
}


def stubbed_outcome(
    sandbox: Sandbox,
    setup: Setup,
    registry: Registry,
    check_id: str,
    stub: Callable[[AwsAccess], Stubber],
    environment: Rules = Rules.DEV,
) -> Outcome:
    """Produce the check's facts with the SES client stubbed and the rest from moto's
    server, then call the check as the runner does."""
    config = RunConfig(root=setup.root, endpoint_url=sandbox.endpoint_url, rules=environment)
    access = AwsAccess(config)
    with stub(access) as stubber:
        ctx = CheckContext(config, _aws=access)
        spec = registry.checks[check_id]
        facts = resolve_facts(ctx, registry, spec.needs)
        stubber.assert_no_pending_responses()
    kwargs: dict[str, Any] = {name: facts[name] for name in spec.needs}
    if "ctx" in inspect.signature(spec.function).parameters:
        kwargs["ctx"] = ctx
    outcome = spec.function(**kwargs)
    assert isinstance(outcome, Outcome)
    return outcome


def get_account(response: dict[str, Any]) -> Callable[[AwsAccess], Stubber]:
    def stub(access: AwsAccess) -> Stubber:
        stubber = Stubber(access.operator("sesv2", SES_REGION))
        stubber.add_response("get_account", response, {})
        return stubber

    return stub


@pytest.fixture
def developer_setup(sandbox: Sandbox, tmp_path: Path) -> Setup:
    domain = unique_domain()
    verify_domain(sandbox, domain)
    return ses_setup(sandbox, tmp_path / "ses", domain)


def test_sandboxed_ses_warns_in_dev_and_names_the_pending_request(
    sandbox: Sandbox, developer_setup: Setup, registry: Registry
) -> None:
    outcome = stubbed_outcome(
        sandbox, developer_setup, registry, "email.ses-production", get_account(SANDBOX_ACCOUNT)
    )
    assert outcome.status is Status.WARN
    assert outcome.message == (
        f"the SES account in {SES_REGION} is in the sandbox: it sends only to addresses "
        "verified in SES (at most 200 messages a day and 1 a second), so invitations to anyone "
        "else are rejected; quota 200 a day, 12 sent in the last 24 h. A production-access "
        "request is PENDING (case 1234567890)."
    )
    assert outcome.fix_command is not None
    assert outcome.fix_command.startswith(
        f"aws sesv2 put-account-details --region {SES_REGION} "
        f"--endpoint-url {sandbox.endpoint_url} --production-access-enabled "
        "--mail-type TRANSACTIONAL"
    )


def test_sandboxed_ses_fails_in_prod(
    sandbox: Sandbox, developer_setup: Setup, registry: Registry
) -> None:
    outcome = stubbed_outcome(
        sandbox,
        developer_setup,
        registry,
        "email.ses-production",
        get_account(SANDBOX_ACCOUNT),
        Rules.PROD,
    )
    assert outcome.status is Status.FAIL
    assert "is in the sandbox" in outcome.message


def test_production_access_passes_with_the_quota(
    sandbox: Sandbox, developer_setup: Setup, registry: Registry
) -> None:
    outcome = stubbed_outcome(
        sandbox, developer_setup, registry, "email.ses-production", get_account(PRODUCTION_ACCOUNT)
    )
    assert outcome.status is Status.PASS
    assert outcome.message == (
        f"the SES account in {SES_REGION} has production access and sending is enabled; quota "
        "50000 a day, 340 sent in the last 24 h"
    )


@pytest.mark.parametrize(
    ("changes", "status", "words"),
    [
        ({"SendingEnabled": False}, Status.FAIL, "sending is paused (SendingEnabled false)"),
        ({"EnforcementStatus": "SHUTDOWN"}, Status.FAIL, "AWS shut it down"),
        ({"EnforcementStatus": "PROBATION"}, Status.WARN, "is on probation"),
    ],
)
def test_paused_shut_down_or_probation_accounts(
    sandbox: Sandbox,
    developer_setup: Setup,
    registry: Registry,
    changes: dict[str, Any],
    status: Status,
    words: str,
) -> None:
    outcome = stubbed_outcome(
        sandbox,
        developer_setup,
        registry,
        "email.ses-production",
        get_account({**PRODUCTION_ACCOUNT, **changes}),
    )
    assert outcome.status is status
    assert words in outcome.message
    assert outcome.fix


def test_a_pending_identity_fails_with_what_to_do(
    sandbox: Sandbox, developer_setup: Setup, registry: Registry
) -> None:
    domain = pool_domain(sandbox, developer_setup)

    def pending(access: AwsAccess) -> Stubber:
        stubber = Stubber(access.operator("ses", SES_REGION))
        stubber.add_response(
            "get_identity_verification_attributes",
            {
                "VerificationAttributes": {
                    domain: {
                        "VerificationStatus": "Pending",
                        "VerificationToken": "QTKknzFg2J4ygwa+XvHAxUl1hyHoY0gVfZdfjIedHZ0=",
                    }
                }
            },
            {"Identities": [domain]},
        )
        return stubber

    outcome = stubbed_outcome(sandbox, developer_setup, registry, "email.ses-identity", pending)
    assert outcome.status is Status.FAIL
    assert outcome.message == (
        f"the SES domain {domain} in {SES_REGION} (the pool's SourceArn) is not verified for "
        "sending; its status is pending: SES is waiting for the domain's DNS records"
    )
    assert outcome.fix_command == (
        f"aws sesv2 get-email-identity --region {SES_REGION} "
        f"--endpoint-url {sandbox.endpoint_url} --email-identity {domain}"
    )


def pool_domain(sandbox: Sandbox, setup: Setup) -> str:
    config = sandbox.client("cognito-idp").describe_user_pool(UserPoolId=setup.pool_id)["UserPool"][
        "EmailConfiguration"
    ]
    return str(config["SourceArn"]).rsplit("/", 1)[1]
