"""A network that misbehaves, between the real command line (a subprocess) and moto's server:
throttling, HTTP 500, a reset connection, an answer slower than the read timeout, an endpoint
where nothing listens, and --timeout expiring. Each run finishes in time, retries where
botocore's standard retry mode should, turns exactly the checks that needed the broken call
into `error` with words a person can act on, keeps every other result, and prints no
traceback (its stderr stays empty)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from cognito_doctor.demo.sandbox import Sandbox, Setup
from cognito_doctor.engine.registry import Registry
from tests.support.net import DESTRUCTIVE, Fault, dead_endpoint
from tests.support.netkit import CliRun, Net, checks_needing, cli_env, middleware_sandbox, run_cli

# Small client limits so that a fault is given up on quickly: 2 attempts, 0.5 s to read.
FAST = ("--connect-timeout", "0.5", "--read-timeout", "0.5", "--max-attempts", "2")


@pytest.fixture
def net(sandbox: Sandbox) -> Iterator[Net]:
    """A fresh middleware per test (its own faults and request log), serving the sandbox's
    moto backends."""
    with middleware_sandbox() as started:
        yield started


@pytest.fixture(scope="module")
def healthy(sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> Setup:
    return sandbox.create_setup(tmp_path_factory.mktemp("healthy"))


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("home")


@pytest.fixture(scope="module")
def baseline(sandbox: Sandbox, healthy: Setup, home: Path) -> dict[str, str]:
    """The healthy setup's statuses with nothing in the way."""
    run = check(healthy, sandbox.endpoint_url, home)
    assert run.exit_code == 0, run.stdout + run.stderr
    statuses = run.statuses()
    assert "error" not in statuses.values() and "fail" not in statuses.values()
    return statuses


def check(setup: Setup, endpoint: str, home: Path, *extra: str, limit: float = 60) -> CliRun:
    return run_cli(
        [
            "check",
            "--root",
            str(setup.root),
            "--endpoint-url",
            endpoint,
            "--format",
            "json",
            *extra,
        ],
        cli_env(home),
        limit=limit,
    )


def assert_clean(run: CliRun) -> None:
    assert "Traceback" not in run.stdout + run.stderr
    assert run.stderr == "", run.stderr


def unverified(run: CliRun) -> set[str]:
    """The checks that couldn't verify: errors, and those skipped onto another's root cause."""
    return {
        c for c, s in run.statuses().items() if s == "error" or run.result(c).get("see") is not None
    }


def assert_only(run: CliRun, baseline: dict[str, str], affected: set[str]) -> None:
    """Exactly `affected` couldn't verify (each an error, or skipped "see" the error that has
    the same cause); every other check kept its healthy result; exit 3, nothing failed."""
    statuses = run.statuses()
    assert affected, "the fault must affect some check"
    assert unverified(run) == affected
    for check_id in affected:
        see = run.result(check_id).get("see")
        assert see is None or statuses[see] == "error", check_id
    assert {c: s for c, s in statuses.items() if c not in affected} == {
        c: s for c, s in baseline.items() if c not in affected
    }
    assert run.exit_code == 3


def test_one_throttle_of_every_call_is_retried_and_the_run_passes(
    net: Net, healthy: Setup, home: Path, baseline: dict[str, str]
) -> None:
    with net.middleware.recording() as clean:
        assert check(healthy, net.endpoint_url, home).exit_code == 0
    operations = {r.operation for r in clean if r.is_aws}
    assert {"sts:GetCallerIdentity", "cognito-idp:DescribeUserPool", "iam:GetUser"} <= operations
    for operation in operations:
        net.middleware.inject(operation, Fault.THROTTLE, times=1)

    with net.middleware.recording() as seen:
        run = check(healthy, net.endpoint_url, home, "--max-attempts", "3")

    assert_clean(run)
    assert run.exit_code == 0 and run.statuses() == baseline
    for operation in operations:
        attempts = [r for r in seen if r.operation == operation]
        # The throttled attempt, then botocore's retry, which got moto's answer.
        assert [r.fault for r in attempts] == [Fault.THROTTLE, None], operation
        assert attempts[1].status == 200


def test_persistent_throttling_errors_the_pool_checks_and_nothing_else(
    net: Net, healthy: Setup, home: Path, baseline: dict[str, str], registry: Registry
) -> None:
    net.middleware.inject("cognito-idp:DescribeUserPool", Fault.THROTTLE)
    run = check(healthy, net.endpoint_url, home, *FAST)

    assert_clean(run)
    affected = checks_needing(registry, {"pool_lookup"})
    assert {"pool.exists", "pool.mfa", "pool.self-signup"} <= affected
    assert_only(run, baseline, affected)
    result = run.result("pool.exists")
    assert result["message"] == (
        "AWS throttled cognito-idp:DescribeUserPool (ThrottlingException) on all 2 attempts"
    )
    assert "Wait a minute and run again" in result["fix"]
    assert net.middleware.counts()["cognito-idp:DescribeUserPool"] == 2  # retried once
    assert run.seconds < 20


def test_http_500_on_the_service_keys_errors_their_checks_only(
    net: Net, healthy: Setup, home: Path, baseline: dict[str, str], registry: Registry
) -> None:
    net.middleware.inject("sts:GetCallerIdentity", Fault.HTTP_500)
    run = check(healthy, net.endpoint_url, home, *FAST)

    assert_clean(run)
    affected = checks_needing(registry, {"service_identity"})
    assert affected == {"creds.identity", "iam.principal", "iam.actions", "iam.least-privilege"}
    assert_only(run, baseline, affected)
    identity = run.result("creds.identity")
    assert "sts:GetCallerIdentity failed: AWS answered HTTP 500" in identity["message"]
    assert "on all 2 attempts" in identity["message"]
    assert "Run again in a few minutes" in identity["fix"]
    # One cause, said once: iam.principal met the same failure and points at creds.identity.
    principal = run.result("iam.principal")
    assert principal["status"] == "skip" and principal["see"] == "creds.identity"
    assert "the service's principal is unknown" in principal["evidence"]["reason"]
    # One request, retried once: the iam checks reuse creds.identity's call.
    assert net.middleware.counts()["sts:GetCallerIdentity"] == 2
    assert run.seconds < 20


def test_a_reset_connection_errors_the_simulation_checks_only(
    net: Net, healthy: Setup, home: Path, baseline: dict[str, str], registry: Registry
) -> None:
    net.middleware.inject("iam:SimulatePrincipalPolicy", Fault.RESET)
    run = check(healthy, net.endpoint_url, home, *FAST)

    assert_clean(run)
    affected = checks_needing(registry, {"iam_simulation_call"})
    assert affected == {"iam.actions", "iam.least-privilege"}
    assert_only(run, baseline, affected)
    actions = run.result("iam.actions")
    assert actions["message"].startswith(
        "iam:SimulatePrincipalPolicy: the connection to the endpoint "
        f"({net.endpoint_url}/) was reset or closed before an answer came"
    )
    assert "Check the network, a proxy or VPN in between" in actions["fix"]
    # Not mistaken for "the operator may not simulate" (which evaluates locally instead).
    assert "evaluated locally" not in actions["message"]
    assert net.middleware.counts()["iam:SimulatePrincipalPolicy"] == 2
    assert run.seconds < 20


def test_an_answer_slower_than_the_read_timeout_errors_the_client_checks_only(
    net: Net, healthy: Setup, home: Path, baseline: dict[str, str], registry: Registry
) -> None:
    net.middleware.inject("cognito-idp:DescribeUserPoolClient", Fault.SLOW, delay=5)
    run = check(healthy, net.endpoint_url, home, *FAST)

    assert_clean(run)
    affected = checks_needing(registry, {"client_lookup"})
    assert affected == {"client.exists", "client.secret", "client.auth-flows"}
    assert_only(run, baseline, affected)
    assert run.result("client.exists")["message"] == (
        "cognito-idp:DescribeUserPoolClient: the endpoint "
        f"({net.endpoint_url}/) did not answer within the read timeout, even after retrying"
    )
    # Two attempts of 0.5 s (and a backoff under a second), not the 5 s the server takes.
    assert run.seconds < 5


def test_an_endpoint_where_nothing_listens_errors_every_aws_check_only(
    healthy: Setup, home: Path, baseline: dict[str, str], registry: Registry
) -> None:
    endpoint = dead_endpoint()
    run = check(healthy, endpoint, home, *FAST)

    assert_clean(run)
    network_facts = {name for name, fact in registry.facts.items() if fact.network}
    affected = checks_needing(registry, network_facts)
    assert {"creds.identity", "pool.exists", "client.exists", "issuer.discovery"} <= affected
    assert_only(run, baseline, affected)
    # The first check to meet it says it; every other one points there, keeping its words.
    root = run.result("creds.identity")
    assert root["message"] == (
        f"sts:GetCallerIdentity: cannot connect to the endpoint ({endpoint}/): nothing "
        "answered there, even after retrying"
    )
    assert "is the server running?" in root["fix"]
    assert {c for c in affected if run.result(c)["see"] == "creds.identity"} == affected - {
        "creds.identity"
    }
    assert run.result("pool.exists")["evidence"]["reason"] == (
        f"cognito-idp:DescribeUserPool: cannot connect to the endpoint ({endpoint}/): nothing "
        "answered there, even after retrying"
    )
    assert "Connection refused" in run.result("issuer.discovery")["evidence"]["reason"]
    [cause] = run.report()["root_causes"]
    assert cause["check"] == "creds.identity" and cause["cause"] == "cannot-connect"
    assert endpoint in cause["summary"]
    assert run.seconds < 20


def test_a_dead_endpoint_is_named_at_most_twice_in_at_most_40_lines(
    healthy: Setup, home: Path
) -> None:
    endpoint = dead_endpoint()
    run = run_cli(
        ["check", "--root", str(healthy.root), "--endpoint-url", endpoint, *FAST],
        cli_env(home),
    )

    assert_clean(run)
    lines = run.stdout.splitlines()
    assert run.exit_code == 3, run.stdout
    assert len(lines) <= 40, run.stdout
    assert len([line for line in lines if endpoint in line]) <= 2, run.stdout
    assert "couldn't be verified for the same reason (see creds.identity)" in run.stdout
    assert "nothing failed, but not everything could be verified" in lines[-1]


def test_an_expiring_timeout_errors_the_waiting_checks_and_still_writes_the_report(
    net: Net,
    healthy: Setup,
    home: Path,
    baseline: dict[str, str],
    registry: Registry,
    tmp_path: Path,
) -> None:
    # iam:GetUser answers after 30 s, well within the default 10 s read timeout x 3 attempts.
    net.middleware.inject("iam:GetUser", Fault.SLOW, delay=30)
    report = tmp_path / "out" / "report.json"
    run = run_cli(
        [
            "check",
            "--root",
            str(healthy.root),
            "--endpoint-url",
            net.endpoint_url,
            "--timeout",
            "3",
            "--format",
            "json",
            "--format",
            "table",
            "--output",
            f"json={report}",
        ],
        cli_env(home),
    )

    assert_clean(run)
    assert run.seconds < 10  # the 3 s budget, plus start-up; not the 30 s answer
    assert run.exit_code == 3  # couldn't verify, nothing failed
    written = CliRun(run.args, run.exit_code, report.read_text(), "", run.seconds)
    affected = checks_needing(registry, {"iam_principal"})
    assert affected == {"iam.principal", "iam.actions", "iam.least-privilege"}
    assert_only(written, baseline, affected)
    # It names the call that never answered, and how long it had waited.
    assert written.result("iam.principal")["message"].startswith(
        "timed out: iam_principal was not ready within --timeout 3 s: still waiting for an "
        "answer to iam:GetUser (asked "
    )
    assert "larger --timeout" in written.result("iam.principal")["fix"]
    # The table on stdout says the same.
    table = " ".join(run.stdout.split())
    assert "timed out: iam_principal was not ready within --timeout 3 s" in table
    assert "✗ 3 errors" in table


@pytest.mark.parametrize(
    ("fault", "words"),
    [
        (Fault.HTTP_500, "answered HTTP 500 Internal Server Error"),
        (Fault.THROTTLE, "answered HTTP 429 Too Many Requests"),
        (Fault.RESET, "the connection was reset before an answer came"),
    ],
)
def test_a_failing_signing_key_fetch_errors_issuer_discovery_only(
    net: Net,
    healthy: Setup,
    home: Path,
    baseline: dict[str, str],
    registry: Registry,
    fault: Fault,
    words: str,
) -> None:
    net.middleware.inject("GET /*/.well-known/jwks.json", fault)
    run = check(healthy, net.endpoint_url, home, *FAST)

    assert_clean(run)
    assert checks_needing(registry, {"discovery"}) == {"issuer.discovery"}
    assert_only(run, baseline, {"issuer.discovery"})
    message = run.result("issuer.discovery")["message"]
    assert f"GET {net.endpoint_url}/{healthy.pool_id}/.well-known/jwks.json" in message
    assert words in message


# --- the fault matrix: every AWS operation a run makes × every fault kind ----------------------

# Every kind the middleware injects, but ERROR (an AWS error: the tests above and test_no_leak).
MATRIX_FAULTS = tuple(f for f in Fault if f is not Fault.ERROR)
# Operations whose garbled answer has a documented fallback: an endpoint that can't simulate
# (HTML, unparsable) gets the policies evaluated locally, which is evidence of its own.
FALLBACKS = {"iam:SimulatePrincipalPolicy"}
# Calls that add to evidence read elsewhere, so that losing one is a warning, not an error:
# --probe's (iam.actions then rests on the simulation alone) and iam:GetUser (STS named the
# principal; IAM's record of it, its path and boundary, is what goes unread).
WARN_ONLY = {
    "iam:GetUser",
    "cognito-idp:AdminDeleteUser",
    "cognito-idp:AdminDisableUser",
    "cognito-idp:AdminEnableUser",
    "cognito-idp:AdminResetUserPassword",
    "cognito-idp:AdminGetUser",
}
# The operations `check --probe` makes against the sandbox: a healthy run's (asserted below, so
# a new one fails the sweep until it is in the matrix), and those of the fallbacks a fault
# sets off (a garbled simulation has the policies read and evaluated locally).
OPERATIONS = (
    *sorted(WARN_ONLY - {"iam:GetUser"}),
    "cognito-idp:DescribeUserPool",
    "cognito-idp:DescribeUserPoolClient",
    "cognito-idp:GetUserPoolMfaConfig",
    "cognito-idp:ListUsers",
    "iam:GetPolicy",
    "iam:GetPolicyVersion",
    "iam:GetUser",
    "iam:GetUserPolicy",
    "iam:ListAttachedUserPolicies",
    "iam:ListGroupsForUser",
    "iam:ListUserPolicies",
    "iam:SimulatePrincipalPolicy",
    "sesv2:GetEmailIdentity",
    "sts:GetCallerIdentity",
)
MATRIX = [(operation, fault) for operation in OPERATIONS for fault in MATRIX_FAULTS]


def test_the_matrix_covers_every_operation_a_run_makes(
    net: Net, healthy: Setup, home: Path
) -> None:
    with net.middleware.recording() as clean:
        check(healthy, net.endpoint_url, home, "--probe")
    made = {r.operation for r in clean if r.is_aws}
    assert made <= set(OPERATIONS), made - set(OPERATIONS)


def names_the_failed_call(run: CliRun, operation: str) -> bool:
    """Whether a result that is not a pass names the call that brought nothing back."""
    name = operation.split(":", 1)[1]
    return any(
        result["status"] in ("error", "fail", "warn") and name in result["message"]
        for result in run.report()["results"]
    )


@pytest.mark.parametrize(("operation", "fault"), MATRIX)
def test_a_faulty_answer_never_passes_never_tracebacks_and_ends_in_time(
    net: Net, healthy: Setup, home: Path, operation: str, fault: Fault
) -> None:
    net.middleware.inject(operation, fault, delay=20)
    timeout = 4.0
    run = check(healthy, net.endpoint_url, home, *FAST, "--probe", "--timeout", str(timeout))
    assert "Traceback" not in run.stdout + run.stderr, run.stderr
    assert run.seconds < timeout + 10  # the deadline, plus an interpreter's start and exit
    run.statuses()  # the report came out, in JSON
    if net.middleware.counts()[operation] == 0:
        return  # another fault upstream meant this call was never made
    text = json.dumps(run.report())
    assert "KeyError" not in text and "ResponseParserError" not in text
    if fault in DESTRUCTIVE and operation not in FALLBACKS:
        # Nothing was read from that call: something must say "couldn't verify" (or fail).
        assert names_the_failed_call(run, operation), (operation, fault, run.statuses())
        if operation not in WARN_ONLY:
            assert run.exit_code in (1, 3), (operation, fault, run.statuses())


# The reads of the local evaluation, made only when the operator may not simulate: each fault
# on each of them, with SimulatePrincipalPolicy refused so that they are made. A garbled
# policy and a 500 on the same read must end the same way: the verdicts couldn't be reached.
# (The sandbox's service user has an inline policy and no managed one, so iam:GetPolicy and
# iam:GetPolicyVersion are not read here.)
POLICY_READS = (
    "iam:ListUserPolicies",
    "iam:GetUserPolicy",
    "iam:ListAttachedUserPolicies",
    "iam:ListGroupsForUser",
)


@pytest.mark.parametrize(
    ("operation", "fault"), [(o, f) for o in POLICY_READS for f in sorted(DESTRUCTIVE)]
)
def test_a_faulty_policy_read_leaves_the_local_verdicts_unverified(
    net: Net, healthy: Setup, home: Path, operation: str, fault: Fault
) -> None:
    net.middleware.inject(
        "iam:SimulatePrincipalPolicy",
        Fault.ERROR,
        code="AccessDenied",
        message="User is not authorized to perform: iam:SimulatePrincipalPolicy",
        status=403,
    )
    rule = net.middleware.inject(operation, fault, delay=20)
    run = check(healthy, net.endpoint_url, home, *FAST, "--timeout", "4", "--only", "iam.*")
    assert "Traceback" not in run.stdout + run.stderr, run.stderr
    assert rule.hits > 0, "the local evaluation never read it"
    for check_id in ("iam.actions", "iam.least-privilege"):
        result = run.result(check_id)
        assert result["status"] == "error", (check_id, result["message"])
        assert operation.split(":")[1] in result["message"], result["message"]
    assert run.exit_code == 3
