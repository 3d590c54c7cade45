"""Issue 16 under review: breaks found by trying the issue's scenarios and variations of them
(each of these failed on the tree before its fix), and the guards a review found untested."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import tests.support.net as net
from cognito_doctor.demo.sandbox import Sandbox
from cognito_doctor.iam.actions import REQUIRED_ACTIONS
from tests.support.net import Fault
from tests.support.netkit import middleware_sandbox

# A role that may do anything in Cognito: iam.least-privilege must not pass it unless every
# risky action was answered.
WIDE = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "cognito-idp:*", "Resource": "*"}],
}


def _part(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cognito_doctor", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


def test_token_never_prints_a_second_jwt_sharing_the_examined_tokens_header(
    tmp_path: Path,
) -> None:
    """Every token a pool signs has the same header: the vault's 12-character prefix match
    masks the header of another JWT first, and the JWT pattern then no longer sees `eyJ…`,
    so that JWT's payload and signature are printed."""
    header = _part('{"alg":"RS256","kid":"k1"}')
    claims = _part('{"sub":"other","exp":9999999999}')
    pasted = f"{header}.{claims}.U2lnbmF0dXJlT2ZPdGhlcg"
    examined = (
        f"{header}."
        + _part(
            '{"iss":"https://cognito-idp.eu-west-2.amazonaws.com/x",'
            '"token_use":"access","exp":9999999999}'
        )
        + ".c2ln"
    )
    for label in ("services/auth/.env", "services/user-management/.env"):
        path = tmp_path / label
        path.parent.mkdir(parents=True)
        path.write_text(f"COGNITO_REGION=eu-west-2\nCOGNITO_USER_POOL_ID={pasted}\n")
    for fmt in ("table", "json"):
        run = _cli("token", examined, "--root", str(tmp_path), "--offline", "--format", fmt)
        text = run.stdout + run.stderr
        assert "U2lnbmF0dXJlT2ZPdGhlcg" not in text, text
        assert pasted.split(".")[1][4:20] not in text, text


@pytest.fixture
def no_eval_decisions() -> Iterator[None]:
    """Fault.PARTIAL on SimulatePrincipalPolicy: results that name the action but carry no
    EvalDecision (EvalDecision is required in IAM's model: such an answer is not AWS's)."""
    original = net._partial

    def strip(body: bytes, protocol: str) -> bytes:
        text = body.decode()
        if "SimulatePrincipalPolicy" not in text:
            return original(body, protocol)
        text = re.sub(r"<EvalDecision>[^<]*</EvalDecision>", "", text)
        return re.sub(r"<EvalResourceDecision>[^<]*</EvalResourceDecision>", "", text).encode()

    net._partial = strip
    try:
        yield
    finally:
        net._partial = original


def test_least_privilege_never_passes_on_results_without_a_decision(
    tmp_path: Path, sandbox: Sandbox, no_eval_decisions: None
) -> None:
    setup = sandbox.create_setup(tmp_path / "s", policy=WIDE)
    with middleware_sandbox() as proxy:
        proxy.middleware.inject("iam:SimulatePrincipalPolicy", Fault.PARTIAL)
        for operation in (
            "iam:GetUser",
            "iam:ListUserPolicies",
            "iam:ListAttachedUserPolicies",
            "iam:ListGroupsForUser",
            "iam:GetUserPolicy",
        ):
            proxy.middleware.inject(
                operation, Fault.ERROR, code="AccessDenied", message="not authorized", status=403
            )
        run = subprocess.run(
            [sys.executable, "-m", "cognito_doctor", "check", "--root", str(setup.root),
             "--endpoint-url", proxy.endpoint_url, "--only", "iam.*", "--format", "json",
             "--fail-on", "warning"],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    by_id = {r["id"]: r for r in json.loads(run.stdout)["results"]}
    assert by_id["iam.least-privilege"]["status"] != "pass", by_id["iam.least-privilege"]
    # No verdict was given, so "6 of 6 actions are denied" is not evidence either.
    assert by_id["iam.actions"]["status"] != "fail", by_id["iam.actions"]


@pytest.mark.parametrize(
    "body",
    [
        "raise KeyboardInterrupt\n",
        "class Stop(BaseException):\n    pass\n\n"
        "raise Stop('AWS_SECRET_ACCESS_KEY=kS9Qw2Lr7Tz4Xv1Nb6Hm3Jd8Fp5Gc0Ys2Ue7Ai4')\n",
    ],
    ids=["keyboard-interrupt", "base-exception"],
)
def test_a_plugin_raising_a_base_exception_on_import_is_a_clear_error(
    tmp_path: Path, body: str
) -> None:
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "stops.py").write_text(body, encoding="utf-8")
    run = _cli("check", "--root", str(tmp_path), "--offline", "--checks-dir", str(plugins),
               "--format", "json")  # fmt: skip
    assert "Traceback" not in run.stderr, run.stderr
    assert "kS9Qw2Lr7Tz4" not in run.stdout + run.stderr
    assert run.returncode == 2, (run.returncode, run.stderr)  # not 1, "problems found"
    assert "error" in json.loads(run.stdout)


@pytest.fixture
def only_required_results() -> Iterator[None]:
    """Fault.PARTIAL on SimulatePrincipalPolicy: an answer that keeps the six required actions'
    results and leaves out every other (a partial answer, as a truncated listing would be)."""
    original = net._partial

    def keep_required(body: bytes, protocol: str) -> bytes:
        if b"SimulatePrincipalPolicyResult" not in body:
            return original(body, protocol)
        root = ET.fromstring(body)
        for results in root.iter():
            if results.tag.endswith("EvaluationResults"):
                for member in list(results):
                    action = next(e.text for e in member if e.tag.endswith("EvalActionName"))
                    if action not in REQUIRED_ACTIONS:
                        results.remove(member)
        return ET.tostring(root)

    net._partial = keep_required
    try:
        yield
    finally:
        net._partial = original


def test_least_privilege_never_passes_on_a_simulation_that_left_the_risky_actions_out(
    tmp_path: Path, sandbox: Sandbox, only_required_results: None
) -> None:
    setup = sandbox.create_setup(tmp_path / "s", policy=WIDE)
    with middleware_sandbox() as proxy:
        proxy.middleware.inject("iam:SimulatePrincipalPolicy", Fault.PARTIAL)
        run = _cli("check", "--root", str(setup.root), "--endpoint-url", proxy.endpoint_url,
                   "--only", "iam.*", "--format", "json", "--fail-on", "warning")  # fmt: skip
    by_id = {r["id"]: r for r in json.loads(run.stdout)["results"]}
    least = by_id["iam.least-privilege"]
    assert least["status"] == "error", least
    assert "gave no verdict for 12 of the 12 risky actions" in least["message"]
    assert by_id["iam.actions"]["status"] == "pass"  # its six were answered
    assert run.returncode == 3  # couldn't verify, nothing failed


def test_a_fifo_no_one_reads_as_output_or_job_summary_does_not_hold_the_run(
    tmp_path: Path,
) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    started = time.monotonic()
    run = _cli("check", "--root", str(tmp_path), "--offline", "--output", f"json={fifo}",
               "--format", "json")  # fmt: skip
    assert run.returncode == 2
    assert "it is a pipe (FIFO) that no one reads" in run.stderr
    summary = subprocess.run(
        [sys.executable, "-m", "cognito_doctor", "check", "--root", str(tmp_path), "--offline",
         "--format", "github"],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "GITHUB_STEP_SUMMARY": str(fifo)},
    )  # fmt: skip
    assert "cannot append the job summary" in summary.stdout
    assert "::error" in summary.stdout  # the annotations still came out
    assert time.monotonic() - started < 60  # each took well under a second; a hang is ~forever


@pytest.mark.parametrize(
    "args",
    [
        ("user", "a@clinic.test", "kS9Qw2Lr7Tz4Xv1Nb6Hm3Jd8Fp5Gc0Ys2Ue7Ai4"),
        ("token", "--region", "kS9Qw2Lr7Tz4Xv1Nb6Hm3Jd8Fp5Gc0Ys2Ue7Ai4", "x"),
        ("check", "--profile", "x", "--format", "kS9Qw2Lr7Tz4Xv1Nb6Hm3Jd8Fp5Gc0Ys2Ue7Ai4"),
    ],
)
def test_a_secret_in_the_wrong_place_on_the_command_line_is_not_echoed(
    args: tuple[str, ...],
) -> None:
    run = _cli(*args)
    assert run.returncode == 2, run.stderr
    assert "Error:" in run.stderr  # click still says what was wrong
    assert "kS9Qw2Lr7Tz4" not in run.stdout + run.stderr
    # A short, ordinary mistake is still shown as typed.
    typo = _cli("check", "--format", "jsno")
    assert "'jsno' is not one of" in typo.stderr


def test_a_bug_of_ours_is_one_redacted_line_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cognito_doctor.cli as cli_module

    def crash(*args: object) -> None:
        raise RuntimeError("AWS_SECRET_ACCESS_KEY=kS9Qw2Lr7Tz4Xv1Nb6Hm3Jd8Fp5Gc0Ys2Ue7Ai4")

    monkeypatch.setattr(cli_module, "_run", crash)
    result = CliRunner().invoke(cli_module.main, ["check", "--root", str(tmp_path)])
    assert result.exit_code == 2
    assert "internal error: RuntimeError" in result.stderr
    assert "please report it" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "kS9Qw2Lr7Tz4" not in result.stdout + result.stderr


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_a_wide_encoding_without_a_byte_order_mark_is_named(tmp_path: Path, encoding: str) -> None:
    for label in ("services/user-management/.env", "services/auth/.env"):
        (tmp_path / label).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / label).write_bytes("COGNITO_REGION=eu-west-2\n".encode(encoding))
    run = _cli("check", "--root", str(tmp_path), "--offline", "--format", "json")
    files = next(r for r in json.loads(run.stdout)["results"] if r["id"] == "env.files")
    assert f"saved as {encoding.upper()} (without a byte-order mark)" in files["message"]
    assert "binary file" not in files["message"]


def test_a_config_file_that_is_a_fifo_is_an_error_not_silently_skipped(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "cognito-doctor.toml")
    run = _cli("check", "--root", str(tmp_path), "--offline")
    assert run.returncode == 2
    assert "cognito-doctor.toml is not a regular file" in run.stderr
