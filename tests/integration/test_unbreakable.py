"""Issue 16's sweep, one test per finding: no secret out, no pass without evidence, every run
bounded, no traceback. Each runs the command line in-process against moto's server (or a
dead endpoint) and asserts what a person would see."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from cognito_doctor.cli import main
from cognito_doctor.demo.sandbox import Sandbox
from cognito_doctor.platform.envfiles import AUTH_ENV, UM_ENV
from tests.support.net import Fault, dead_endpoint
from tests.support.netkit import middleware_sandbox

FAST = ("--connect-timeout", "0.5", "--read-timeout", "0.5", "--max-attempts", "1")
TOKEN_LINE = "IQoJb3JpZ2luX2VjEPv9Lq2Wz7Rt4Yk1Mx8Nc5Bd3"
TOKEN_REST = "Gh6Jf0Ts9Ua2Oe7Ip4Ql1Kr8Zm5Xn3Cv6By0HwQ2"
FORMATS = ("json", "junit", "sarif", "github", "markdown")


def cli(*args: str, input: str | None = None) -> Result:
    result = CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return result


def every_format(tmp_path: Path, *args: str) -> str:
    """Everything one run prints and writes, in every format, and the job summary."""
    summary = tmp_path / "summary.md"
    os.environ["GITHUB_STEP_SUMMARY"] = str(summary)
    try:
        outputs = [f"--output={f}={tmp_path / f'out.{f}'}" for f in FORMATS]
        result = cli(
            "check", *args, "--format=table", *[f"--format={f}" for f in FORMATS], *outputs
        )
    finally:
        del os.environ["GITHUB_STEP_SUMMARY"]
    files = [p.read_text(errors="replace") for p in tmp_path.glob("out.*")]
    return "\n".join([result.stdout, result.stderr, summary.read_text(), *files])


def write_env(root: Path, label: str, text: str) -> None:
    path = root / label
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# --- secrets printed --------------------------------------------------------------------


def test_a_session_token_with_a_line_break_is_never_printed(tmp_path: Path) -> None:
    """botocore's "Invalid header value b'…'" carries the token as a bytes repr (the line
    break as the two characters \\n): that form is masked too."""
    write_env(
        tmp_path,
        UM_ENV,
        "COGNITO_PROVIDER=cognito\nCOGNITO_USER_POOL_ID=eu-west-2_Xy7Pq9Rst\nCOGNITO_REGION=eu-west-2\n"
        "AWS_ACCESS_KEY_ID=AKIAQ3JH5Z2M7XW4KP6D\nAWS_SECRET_ACCESS_KEY=kS9Qw2Lr7Tz4Xv1Nb6Hm3Jd8Fp5Gc0Ys2Ue7Ai4\n"
        f'AWS_SESSION_TOKEN="{TOKEN_LINE}\\n{TOKEN_REST}"\n',
    )
    write_env(
        tmp_path, AUTH_ENV, "COGNITO_USER_POOL_ID=eu-west-2_Xy7Pq9Rst\nCOGNITO_REGION=eu-west-2\n"
    )
    text = every_format(tmp_path, "--root", str(tmp_path), "--endpoint-url", dead_endpoint(), *FAST)
    for piece in (TOKEN_LINE[:12], TOKEN_REST[:12], TOKEN_LINE[-12:], TOKEN_REST[-12:]):
        assert piece not in text
    assert "AKIAQ3JH5Z2M" not in text


def test_a_secret_pasted_into_the_target_settings_is_masked_in_every_header(
    tmp_path: Path, sandbox: Sandbox
) -> None:
    secret = "kS9Qw2Lr7Tz4Xv1Nb6Hm3Jd8Fp5Gc0Ys2Ue7Ai4"
    setup = sandbox.create_setup(
        tmp_path / "s",
        um_changes={"AWS_SECRET_ACCESS_KEY": secret, "COGNITO_USER_POOL_ID": secret},
        auth_changes={"COGNITO_USER_POOL_ID": secret, "COGNITO_APP_CLIENT_ID": secret},
    )
    text = every_format(tmp_path, "--root", str(setup.root), "--endpoint-url", sandbox.endpoint_url)
    assert secret[:12] not in text and secret[-12:] not in text
    assert "[redacted]" in text


def test_triage_masks_key_value_secrets_cut_ones_and_the_env_secrets(tmp_path: Path) -> None:
    secret = "kS9Qw2Lr7Tz4Xv1Nb6Hm3Jd8Fp5Gc0Ys2Ue7Ai4"
    write_env(tmp_path, UM_ENV, f"AWS_SECRET_ACCESS_KEY={secret}\n")
    write_env(tmp_path, AUTH_ENV, "COGNITO_REGION=eu-west-2\n")
    log = (
        f"AccessDeniedException: not authorized; AWS_SECRET_ACCESS_KEY={secret}\n"
        f"NotAuthorizedException client_secret={'Zq8' + secret[3:]} UserNotFoundException "
        + "x" * 70
        + secret
        + "\n"
    )
    for fmt in ("table", "json"):
        result = cli(
            "triage", "--root", str(tmp_path), "--offline", "-", "--format", fmt, input=log
        )
        assert secret[:12] not in result.stdout and secret[-12:] not in result.stdout
        assert "Zq8" + secret[3:15] not in result.stdout


def test_the_operators_credentials_echoed_by_aws_are_masked(
    tmp_path: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """IncompleteSignature echoes the Authorization header; a message may echo the token."""
    token = "FwoGZXIvYXdzEHg2Vb8Nn4Mq7Xz1Lp5Kd9Jr3Hs6Gt0Fy2Dw8Sa4Qe7Wo1Ri5Tu3Yp9Ik6Ol2Mj8Nb0Vc"
    monkeypatch.setenv("AWS_SESSION_TOKEN", token)
    setup = sandbox.create_setup(tmp_path / "s")
    with middleware_sandbox() as net:
        net.middleware.inject(
            "cognito-idp:DescribeUserPool",
            Fault.ERROR,
            code="IncompleteSignature",
            message=f"Authorization header requires 'Credential'; X-Amz-Security-Token={token} "
            f"raw {token}",
        )
        text = every_format(tmp_path, "--root", str(setup.root), "--endpoint-url", net.endpoint_url)
    assert token[:12] not in text and token[-12:] not in text
    assert "IncompleteSignature" in text


def test_click_never_echoes_a_token_or_a_secret_argument() -> None:
    header = base64.urlsafe_b64encode(b'{"alg":"RS256","kid":"k"}').decode().rstrip("=")
    jwt = f"{header}.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU"
    # As a user runs it: a process of its own, click writing straight to its stderr.
    run = subprocess.run(
        [sys.executable, "-m", "cognito_doctor", "token", f"--{jwt}"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2
    assert "No such option" in run.stderr
    assert "c2lnbmF0dXJlLXNp" not in run.stdout + run.stderr
    secret = "kS9Qw2Lr7Tz4Xv1Nb6Hm3Jd8Fp5Gc0Ys2Ue7Ai4"
    result = CliRunner().invoke(main, ["user", secret])
    assert result.exit_code == 2
    assert "is not an email address" in result.stderr
    assert secret[:12] not in result.stdout + result.stderr


# --- passes without evidence ---------------------------------------------------------------


@pytest.mark.parametrize("fault", [Fault.EMPTY_200, Fault.HTML_200, Fault.GARBAGE, Fault.PARTIAL])
def test_user_never_says_not_found_from_an_unreadable_listing(
    tmp_path: Path, sandbox: Sandbox, fault: Fault
) -> None:
    setup = sandbox.create_setup(tmp_path / "s")
    with middleware_sandbox() as net:
        net.middleware.inject("cognito-idp:ListUsers", fault)
        result = cli(
            "user",
            "nobody@clinic.test",
            "--root",
            str(setup.root),
            "--endpoint-url",
            net.endpoint_url,
            "--format",
            "json",
        )
    if fault is Fault.PARTIAL:  # half of an empty list is still the answer "no such user"
        return
    report = json.loads(result.stdout)
    assert report["not_found"] is None, report
    assert "couldn't verify" in report["problem"] or "could not be read" in report["problem"]
    assert result.exit_code == 1


def test_a_plugin_calling_sys_exit_is_that_checks_error(tmp_path: Path) -> None:
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "quitter.py").write_text(
        "import sys\nfrom cognito_doctor.plugin import check, fact, passed\n\n"
        "@fact('quit_fact')\ndef quit_fact():\n    raise KeyboardInterrupt\n\n"
        "@check('acme.quits', title='quits', severity='error')\n"
        "def quits(settings):\n"
        "    '''## What it checks\nx\n## Why it matters\ny\n## How to fix\nz'''\n"
        "    print('noise from a plugin')\n    sys.exit(0)\n\n"
        "@check('acme.waits', title='waits', severity='error')\n"
        "def waits(quit_fact):\n"
        "    '''## What it checks\nx\n## Why it matters\ny\n## How to fix\nz'''\n"
        "    return passed('never')\n",
        encoding="utf-8",
    )
    started = time.perf_counter()
    result = cli(
        "check", "--root", str(tmp_path), "--offline", "--checks-dir", str(plugins),
        "--only", "acme.*", "--format", "json", "--timeout", "30",
    )  # fmt: skip
    assert time.perf_counter() - started < 10  # not the whole --timeout
    report = json.loads(result.stdout)  # the plugin's print() went elsewhere
    by_id = {r["id"]: r for r in report["results"]}
    assert by_id["acme.quits"]["status"] == "error"
    assert "sys.exit(0)" in by_id["acme.quits"]["message"]
    assert by_id["acme.waits"]["status"] == "error"
    assert "KeyboardInterrupt" in by_id["acme.waits"]["message"]
    assert result.exit_code == 3  # couldn't verify: never 0


@pytest.mark.parametrize("value", ["mars-1", "eu-west-2x", ""])
def test_a_mistyped_region_is_a_usage_error(tmp_path: Path, value: str) -> None:
    result = CliRunner().invoke(main, ["check", "--root", str(tmp_path), "--region", value])
    assert result.exit_code == 2
    assert "is not an AWS region" in result.stderr


# --- unbounded runs ------------------------------------------------------------------------


def test_timeout_bounds_a_hanging_plugin_check_and_a_hanging_import(tmp_path: Path) -> None:
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "hangs.py").write_text(
        "import time\nfrom cognito_doctor.plugin import check, passed\n\n"
        "@check('acme.hangs', title='hangs', severity='error')\n"
        "def hangs(settings):\n"
        "    '''## What it checks\nx\n## Why it matters\ny\n## How to fix\nz'''\n"
        "    time.sleep(60)\n    return passed('late')\n",
        encoding="utf-8",
    )
    started = time.perf_counter()
    result = cli(
        "check", "--root", str(tmp_path), "--offline", "--checks-dir", str(plugins),
        "--only", "acme.hangs", "--format", "json", "--timeout", "1",
    )  # fmt: skip
    assert time.perf_counter() - started < 8
    (only,) = json.loads(result.stdout)["results"]
    assert only["status"] == "error" and "timed out" in only["message"]
    slow = tmp_path / "slow"
    slow.mkdir()
    (slow / "slow_import.py").write_text("import time\ntime.sleep(60)\n", encoding="utf-8")
    started = time.perf_counter()
    result = cli(
        "check", "--root", str(tmp_path), "--offline", "--checks-dir", str(slow), "--timeout", "1"
    )
    assert time.perf_counter() - started < 8
    assert result.exit_code == 2 and "did not finish within --timeout 1 s" in result.stderr


def test_a_fifo_or_a_device_as_a_file_is_refused_without_reading(tmp_path: Path) -> None:
    (tmp_path / "services/user-management").mkdir(parents=True)
    os.mkfifo(tmp_path / UM_ENV)
    (tmp_path / "services/auth").mkdir(parents=True)
    os.symlink("/dev/zero", tmp_path / AUTH_ENV)
    started = time.perf_counter()
    result = cli(
        "check", "--root", str(tmp_path), "--offline", "--format", "json", "--timeout", "5"
    )
    assert time.perf_counter() - started < 5
    files = next(r for r in json.loads(result.stdout)["results"] if r["id"] == "env.files")
    assert "not a regular file" in json.dumps(files)
    result = cli("triage", "--root", str(tmp_path), "--offline", "--log", "/dev/zero")
    assert result.exit_code == 2 and "not a regular file" in result.stderr


def test_the_on_call_commands_are_bounded_by_timeout(tmp_path: Path, sandbox: Sandbox) -> None:
    setup = sandbox.create_setup(tmp_path / "s")
    with middleware_sandbox() as net:
        net.middleware.inject("cognito-idp:*", Fault.DRIP)
        for args in (
            ("user", "someone@clinic.test"),
            ("triage", "User does not exist. someone@clinic.test"),
        ):
            started = time.perf_counter()
            result = cli(*args, "--root", str(setup.root), "--endpoint-url", net.endpoint_url,
                         "--timeout", "2")  # fmt: skip
            assert time.perf_counter() - started < 6, args
            assert result.exit_code == 3 and "timed out" in result.stderr


# --- tracebacks ----------------------------------------------------------------------------


def _jwt(payload: str) -> str:
    def part(text: str) -> str:
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    return f"{part(json.dumps({'alg': 'RS256', 'kid': 'k'}))}.{part(payload)}.c2ln"


@pytest.mark.parametrize(
    "payload",
    [
        '{"exp": 1e20, "token_use": "id"}',
        '{"exp": Infinity}',
        '{"iat": NaN}',
        '{"exp": ' + "9" * 400 + "}",
        '{"a": ' + "[" * 5000 + "]" * 5000 + "}",
    ],
)
def test_odd_claim_values_and_deep_payloads_are_clear_errors(tmp_path: Path, payload: str) -> None:
    result = cli("token", _jwt(payload), "--root", str(tmp_path), "--offline")
    assert result.exit_code in (1, 2), result.stdout


def test_deep_toml_a_nul_path_and_an_infinite_timeout_are_usage_errors(tmp_path: Path) -> None:
    (tmp_path / "cognito-doctor.toml").write_text("a = " + "[" * 5000 + "]" * 5000 + "\n")
    result = cli("check", "--root", str(tmp_path), "--offline")
    assert result.exit_code == 2 and "nested more than" in result.stderr
    (tmp_path / "cognito-doctor.toml").unlink()
    for value in ("inf", "nan", "-1", "0"):
        result = cli("check", "--root", str(tmp_path), "--offline", "--timeout", value)
        assert result.exit_code == 2 and "--timeout" in result.stderr, value
    result = cli("check", "--root", str(tmp_path), "--offline", "--output", "bad\x00name.json")
    assert result.exit_code == 2


def test_an_unwritable_step_summary_is_reported_and_the_annotations_still_appear(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "no-such-dir" / "summary.md"))
    result = cli("check", "--root", str(tmp_path), "--offline", "--format", "github")
    assert "::error" in result.stdout
    assert "cannot append the job summary" in result.stdout


def test_a_plugin_returning_a_malformed_outcome_errors_that_check_alone(tmp_path: Path) -> None:
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "sloppy.py").write_text(
        "from cognito_doctor.plugin import Outcome, check\n\n"
        "@check('acme.sloppy', title='sloppy', severity='error')\n"
        "def sloppy(settings):\n"
        "    '''## What it checks\nx\n## Why it matters\ny\n## How to fix\nz'''\n"
        "    return Outcome('pass', None, evidence=[1])\n",
        encoding="utf-8",
    )
    result = cli("check", "--root", str(tmp_path), "--offline", "--checks-dir", str(plugins),
                 "--format", "json")  # fmt: skip
    by_id = {r["id"]: r for r in json.loads(result.stdout)["results"]}
    assert by_id["acme.sloppy"]["status"] == "error"
    assert "malformed Outcome" in by_id["acme.sloppy"]["message"]
    assert by_id["env.files"]["status"] != "error"  # the rest of the report is there


@pytest.mark.parametrize("fault", [Fault.EMPTY_200, Fault.GARBAGE])
def test_garbled_answers_are_couldnt_verify_not_internal_errors(
    tmp_path: Path, sandbox: Sandbox, fault: Fault
) -> None:
    setup = sandbox.create_setup(tmp_path / "s")
    with middleware_sandbox() as net:
        net.middleware.inject("cognito-idp:DescribeUserPool", fault)
        result = cli("check", "--root", str(setup.root), "--endpoint-url", net.endpoint_url,
                     "--format", "json")  # fmt: skip
    by_id: dict[str, Any] = {r["id"]: r for r in json.loads(result.stdout)["results"]}
    text = json.dumps(by_id["pool.exists"])
    assert by_id["pool.exists"]["status"] == "error"
    assert "KeyError" not in text and "could not produce fact" not in text
    assert by_id["pool.mfa"]["status"] != "pass"
    assert by_id["pool.password-policy"]["status"] != "pass"


def test_utf32_is_named_and_malformed_lines_are_counted_not_listed(tmp_path: Path) -> None:
    (tmp_path / "services/user-management").mkdir(parents=True)
    (tmp_path / UM_ENV).write_bytes("A=b\n".encode("utf-32"))
    write_env(tmp_path, AUTH_ENV, "not a line\n" * 90_000)
    result = cli("check", "--root", str(tmp_path), "--offline", "--format", "json")
    files = next(r for r in json.loads(result.stdout)["results"] if r["id"] == "env.files")
    assert "UTF-32" in files["message"]
    write_env(tmp_path, UM_ENV, "A=b\n")
    result = cli("check", "--root", str(tmp_path), "--offline", "--format", "json")
    assert len(result.stdout) < 200_000
    assert "89,990 more malformed lines" in result.stdout


def test_a_root_whose_name_is_not_utf8_still_gets_every_report_written(tmp_path: Path) -> None:
    # A directory named in Latin-1 on a UTF-8 system: Python sees it with a lone surrogate.
    root = Path(os.fsdecode(os.fsencode(tmp_path) + b"/caf\xe9"))
    for label in (UM_ENV, AUTH_ENV):
        write_env(root, label, "COGNITO_PROVIDER=cognito\nCOGNITO_USER_POOL_ID=eu-west-2_Abc\n")
    outputs = [f"--output={f}={tmp_path / f'out.{f}'}" for f in (*FORMATS, "table")]
    formats = [f"--format={f}" for f in (*FORMATS, "table")]
    result = cli("check", "--root", str(root), "--offline", *formats, *outputs)
    assert result.exit_code == 1, result.stdout + result.stderr  # problems found, not usage
    assert "cannot write" not in result.stdout + result.stderr
    for name in ("json", "sarif"):
        report = json.loads((tmp_path / f"out.{name}").read_text(encoding="utf-8"))
        assert "caf\udce9" in json.dumps(report, ensure_ascii=False)
    assert "env.region" in (tmp_path / "out.table").read_text(encoding="utf-8")
