"""The command line end to end: exit codes, formats, the JSON schema, colour, secrets, demo."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from cognito_doctor import __version__
from cognito_doctor.cli import main
from cognito_doctor.demo.sandbox import Sandbox, Setup
from cognito_doctor.output.json import report_schema

BROKEN_SETUP_FAILS = {
    "env.provider",
    "env.issuer",
    "pool.self-signup",
    "pool.required-attributes",
    "client.secret",
    "client.auth-flows",
    # COGNITO_ISSUER (trailing slash) differs from the discovery document's issuer too.
    "issuer.discovery",
    # The service user's policy names region us-east-1; the pool is in eu-west-2.
    "iam.actions",
}


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def json_report(*args: str) -> tuple[int, dict[str, Any]]:
    code, out, _ = invoke("check", "--format", "json", *args)
    report = json.loads(out)
    jsonschema.validate(report, report_schema())
    return code, report


def by_id(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in report["results"]}


@pytest.fixture
def healthy(sandbox: Sandbox, tmp_path: Path) -> Setup:
    return sandbox.create_setup(tmp_path / "healthy")


@pytest.fixture
def broken(sandbox: Sandbox, tmp_path: Path) -> Setup:
    return sandbox.create_broken_setup(tmp_path / "broken")


def test_version() -> None:
    code, out, _ = invoke("--version")
    assert code == 0
    assert __version__ in out


def test_healthy_setup_exits_0_with_no_fail_or_error(sandbox: Sandbox, healthy: Setup) -> None:
    code, report = json_report("--root", str(healthy.root), "--endpoint-url", sandbox.endpoint_url)
    assert code == 0
    assert report["summary"]["fail"] == 0 and report["summary"]["error"] == 0
    assert report["target"]["user_pool_id"] == healthy.pool_id
    assert report["target"]["app_client_id"] == healthy.client_id
    assert report["target"]["region"] == "eu-west-2"
    # Every check ran against the pool: none skipped for a missing prerequisite.
    skipped = {r["id"] for r in report["results"] if r["status"] == "skip"}
    assert skipped == {
        "pool.deletion-protection",  # prod only
        "iam.policy-file",  # no --policy-file given
        "email.ses-identity",  # the runbook's dev pool sends with Cognito's default sender
        "email.ses-production",
    }


def test_broken_setup_fails_exactly_its_mistakes(sandbox: Sandbox, broken: Setup) -> None:
    code, report = json_report("--root", str(broken.root), "--endpoint-url", sandbox.endpoint_url)
    assert code == 1
    failed = {r["id"] for r in report["results"] if r["status"] == "fail"}
    assert failed == BROKEN_SETUP_FAILS
    for result in report["results"]:
        if result["status"] == "fail":
            assert result["fix"], result["id"]
    results = by_id(report)
    assert results["env.provider"]["location"] == {
        "file": "services/user-management/.env",
        "line": 1,
    }
    assert "trailing slash" in results["env.issuer"]["message"]


def test_endpoint_url_is_read_from_the_environment(
    sandbox: Sandbox, healthy: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", sandbox.endpoint_url)
    code, report = json_report("--root", str(healthy.root), "--only", "pool.exists")
    assert code == 0
    assert by_id(report)["pool.exists"]["status"] == "pass"
    assert report["target"]["endpoint_url"] == sandbox.endpoint_url


def test_table_report_groups_marks_and_fixes(sandbox: Sandbox, broken: Setup) -> None:
    code, out, _ = invoke(
        "check", "--root", str(broken.root), "--endpoint-url", sandbox.endpoint_url
    )
    assert code == 1
    lines = out.splitlines()
    assert "pool" in lines and "env" in lines and "client" in lines
    assert any(line.strip().startswith("✗  env.provider") for line in lines)
    assert any(line.strip().startswith("✓  env.region") for line in lines)
    assert "How to fix" in lines
    fixes = out[out.index("How to fix") :]
    assert "Set COGNITO_PROVIDER=cognito in services/user-management/.env" in fixes
    assert f"https://cognito-idp.eu-west-2.amazonaws.com/{broken.pool_id}" in fixes
    assert "\x1b[" not in out  # not a terminal: no colour
    assert lines[-1].startswith("✓ ") and "failed" in lines[-1] and "problems found" in lines[-1]


def test_verbose_shows_evidence_of_passing_checks(sandbox: Sandbox, healthy: Setup) -> None:
    args = ["check", "--root", str(healthy.root), "--only", "env.*"]
    _, quiet, _ = invoke(*args)
    _, verbose, _ = invoke(*args, "-v")
    assert f"user_pool_id: {healthy.pool_id}" in verbose
    assert f"user_pool_id: {healthy.pool_id}" not in quiet


def test_no_secret_in_any_output(sandbox: Sandbox, healthy: Setup, tmp_path: Path) -> None:
    idp = sandbox.client("cognito-idp")
    client_secret = idp.describe_user_pool_client(
        UserPoolId=healthy.pool_id, ClientId=healthy.client_id
    )["UserPoolClient"]["ClientSecret"]
    secret_key = healthy.um_env["AWS_SECRET_ACCESS_KEY"]
    key_id = healthy.um_env["AWS_ACCESS_KEY_ID"]
    outputs = []
    base = ["check", "--root", str(healthy.root), "--endpoint-url", sandbox.endpoint_url]
    for extra in ([], ["-v"], ["--format", "json"], ["--format", "json", "-v"]):
        outputs.append(invoke(*base, *extra)[1])
    report_file = tmp_path / "report.json"
    invoke(*base, "--format", "json", "--output", str(report_file))
    outputs.append(report_file.read_text())
    for text in outputs:
        assert secret_key not in text
        assert client_secret not in text
        assert key_id not in text  # only its last four characters may show
    assert f"…{key_id[-4:]}" in outputs[0]


def test_output_file_gets_the_report_and_stdout_stays_empty(healthy: Setup, tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    code, out, _ = invoke(
        "check",
        "--root",
        str(healthy.root),
        "--offline",
        "--format",
        "json",
        "--output",
        str(target),
    )
    assert code == 0 and out == ""
    jsonschema.validate(json.loads(target.read_text()), report_schema())


def test_offline_skips_every_network_check(healthy: Setup) -> None:
    code, report = json_report("--root", str(healthy.root), "--offline")
    assert code == 0
    for result in report["results"]:
        if result["group"] == "env":
            assert result["status"] == "pass", result
        else:
            assert result["status"] == "skip"
            assert "offline" in result["message"] or "--env prod" in result["message"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["check", "--bogus"], "No such option"),
        (["check", "--root", "/nonexistent/platform"], "does not exist"),
        (["check", "--env", "staging"], "staging"),
        (["check", "--offline", "--only", "nothing.*"], "no check matches"),
        (["explain", "pool.mfaa"], "pool.mfa"),
    ],
)
def test_usage_errors_exit_2(args: list[str], words: str, tmp_path: Path) -> None:
    code, out, err = invoke(*args)
    assert code == 2
    assert words in out + err
    assert "Traceback" not in out + err


def test_unreadable_root_exits_2(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root can read any directory")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0)
    code, _, _ = invoke("check", "--root", str(locked))
    assert code == 2


def test_list_checks_lists_every_check_with_its_doc() -> None:
    code, out, _ = invoke("list-checks", "--format", "json")
    assert code == 0
    entries = {e["id"]: e for e in json.loads(out)}
    assert entries.keys() >= BROKEN_SETUP_FAILS
    assert entries["env.provider"]["offline"] is True
    assert entries["pool.mfa"]["offline"] is False
    assert entries["pool.deletion-protection"]["environments"] == ["prod"]
    for entry in entries.values():
        assert all(entry["doc"].values()), entry["id"]
    code, table, _ = invoke("list-checks")
    assert code == 0
    assert all(check_id in table for check_id in entries)


def test_readme_lists_every_builtin_check() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    _, out, _ = invoke("list-checks", "--format", "json")
    missing = [e["id"] for e in json.loads(out) if f"`{e['id']}`" not in readme]
    assert missing == []


def test_explain_prints_the_whole_doc() -> None:
    code, out, _ = invoke("explain", "pool.mfa")
    assert code == 0
    for heading in ("## What it checks", "## Why it matters", "## How to fix"):
        assert heading in out
    assert "admin-api" in out


def test_schema_command_prints_a_valid_schema() -> None:
    code, out, _ = invoke("schema")
    assert code == 0
    jsonschema.Draft202012Validator.check_schema(json.loads(out))


def test_demo_prints_both_reports_and_exits_0() -> None:
    code, out, _ = invoke("demo")
    assert code == 0
    assert "no problems found" in out and "(problems found)" in out
    assert out.count("How to fix") == 2  # the healthy dev setup warns about the default sender
    assert "cognito-doctor check" in out  # says how to point it at a real pool
    for check_id in BROKEN_SETUP_FAILS:
        assert f"✗  {check_id}" in out


def _run_on_terminal(args: list[str], env: dict[str, str]) -> str:
    """Run the CLI with stdout on a pseudo-terminal and return what it printed."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "cognito_doctor", *args],
        stdout=follower,
        stderr=subprocess.PIPE,
        env=env,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


def test_colour_on_a_terminal_unless_no_color(healthy: Setup) -> None:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    args = ["check", "--root", str(healthy.root), "--offline"]
    assert "\x1b[" in _run_on_terminal(args, env)
    assert "\x1b[" not in _run_on_terminal(args, {**env, "NO_COLOR": "1"})


def test_ascii_terminal_gets_ascii_markers(healthy: Setup) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cognito_doctor", "check", "--root", str(healthy.root), "--offline"],
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "ascii"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode("ascii")  # raises if anything non-ASCII was printed
    assert "+  env.provider" in out
    assert "Traceback" not in result.stderr.decode()


def test_demo_without_the_demo_extra_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A None entry in sys.modules makes `import moto…` fail as if moto were not installed.
    monkeypatch.setitem(sys.modules, "moto", None)
    code, out, err = invoke("demo")
    assert code == 2
    assert "pip install 'cognito-doctor[demo]'" in err
    assert "Traceback" not in out + err
