"""The command line's conventions, through the CLI: --quiet, --color (NO_COLOR, FORCE_COLOR,
TERM=dumb), close matches for unknown ids, a selection that leaves nothing to run, usage
errors as JSON, an unknown --profile, `permissions`, and the progress line."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cognito_doctor.cli import main
from cognito_doctor.demo.sandbox import Sandbox, Setup
from cognito_doctor.output import ColorMode
from cognito_doctor.output.progress import Progress, progress_wanted
from cognito_doctor.output.terminal import color_wanted

ANSI = "\x1b["


def invoke(*args: str, env: dict[str, str] | None = None, color: bool = False) -> Any:
    return CliRunner().invoke(main, list(args), env=env, color=color, catch_exceptions=False)


@pytest.fixture(scope="module")
def healthy(sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> Setup:
    return sandbox.create_setup(tmp_path_factory.mktemp("conventions"))


def test_quiet_shows_only_the_problems_and_the_summary(sandbox: Sandbox, tmp_path: Path) -> None:
    broken = sandbox.create_broken_setup(tmp_path / "broken")
    where = ["check", "--root", str(broken.root), "--endpoint-url", sandbox.endpoint_url]
    full = invoke(*where)
    quiet = invoke(*where, "--quiet")

    assert quiet.exit_code == full.exit_code == 1
    assert "env.provider" in quiet.stdout and "How to fix" in quiet.stdout
    assert "✓" not in quiet.stdout.split("How to fix")[0]  # no passing check listed
    assert "env.files" in full.stdout and "env.files" not in quiet.stdout
    assert quiet.stdout.splitlines()[-1] == full.stdout.splitlines()[-1]
    assert len(quiet.stdout.splitlines()) < len(full.stdout.splitlines())


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("mode", "env", "tty", "expected"),
    [
        (ColorMode.AUTO, {}, True, True),
        (ColorMode.AUTO, {}, False, False),
        (ColorMode.AUTO, {"NO_COLOR": "1"}, True, False),
        (ColorMode.AUTO, {"TERM": "dumb"}, True, False),
        (ColorMode.AUTO, {"FORCE_COLOR": "1"}, False, True),
        (ColorMode.AUTO, {"FORCE_COLOR": "0"}, True, False),
        (ColorMode.AUTO, {"FORCE_COLOR": "1", "NO_COLOR": "1"}, True, False),
        (ColorMode.ALWAYS, {"NO_COLOR": "1"}, False, True),
        (ColorMode.NEVER, {"FORCE_COLOR": "1"}, True, False),
    ],
)
def test_color_follows_the_flag_and_the_environment(
    mode: ColorMode, env: dict[str, str], tty: bool, expected: bool
) -> None:
    stream = Tty() if tty else io.StringIO()
    assert color_wanted(mode, stream, env) is expected


def test_color_always_and_force_color_colour_a_pipe_and_never_does_not(healthy: Setup) -> None:
    where = ["check", "--root", str(healthy.root), "--offline"]
    plain = {"NO_COLOR": "", "FORCE_COLOR": "", "TERM": "xterm"}
    assert ANSI in invoke(*where, "--color", "always", env=plain).stdout
    assert ANSI in invoke(*where, env={**plain, "FORCE_COLOR": "1"}).stdout
    assert ANSI not in invoke(*where, env=plain).stdout  # a pipe, auto
    assert ANSI not in invoke(*where, "--color", "never", env={**plain, "FORCE_COLOR": "1"}).stdout


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["check", "--only", "pool.mfaa"], "--only pool.mfaa: no check matches. Did you mean"),
        (["check", "--skip", "pol.mfa"], "--skip pol.mfa: no check matches. Did you mean"),
        (["explain", "pool.mf"], "no check 'pool.mf'. Did you mean"),
    ],
)
def test_unknown_ids_name_the_closest_ones(healthy: Setup, args: list[str], words: str) -> None:
    extra = ["--root", str(healthy.root), "--offline"] if args[0] == "check" else []
    result = invoke(*args, *extra)
    assert result.exit_code == 2
    assert words in result.stderr and "pool.mfa" in result.stderr.split("Did you mean")[1]
    assert result.stdout == ""


def test_a_selection_that_leaves_nothing_to_run_exits_2_saying_why(healthy: Setup) -> None:
    result = invoke("check", "--root", str(healthy.root), "--only", "pool.*", "--offline")
    assert result.exit_code == 2
    assert "--only pool.* --offline leaves no check to run" in result.stderr
    assert "needs AWS; not run with --offline" in result.stderr
    assert "no problems found" not in result.stdout


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--bogus"], "No such option '--bogus'"),
        (["--only", "pool.mfaa"], "--only pool.mfaa: no check matches"),
        (["--only", "pool.*", "--offline"], "leaves no check to run"),
    ],
)
def test_usage_errors_are_json_with_format_json(
    healthy: Setup, args: list[str], words: str
) -> None:
    result = invoke("check", "--root", str(healthy.root), "--format", "json", *args)
    assert result.exit_code == 2
    error = json.loads(result.stdout)
    assert error["exit_code"] == 2 and error["error"]["kind"] == "usage"
    assert words in error["error"]["message"]


def test_an_unknown_profile_is_exit_2_before_any_request(healthy: Setup, tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.write_text("[profile platform-dev]\nregion = eu-west-2\n")
    # Nothing listens at this endpoint: a request would be an error, not exit 2.
    result = invoke(
        "check",
        "--root",
        str(healthy.root),
        "--endpoint-url",
        "http://127.0.0.1:9",
        "--profile",
        "platform-devv",
        env={"AWS_CONFIG_FILE": str(config)},
    )
    assert result.exit_code == 2
    assert "--profile platform-devv: no such AWS profile" in result.stderr
    assert "Did you mean platform-dev?" in result.stderr
    assert result.stdout == ""


def test_permissions_prints_a_read_only_policy() -> None:
    result = invoke("permissions")
    assert result.exit_code == 0
    policy = json.loads(result.stdout)
    assert policy["Version"] == "2012-10-17"
    actions = {a for s in policy["Statement"] for a in s["Action"]}
    assert {"cognito-idp:DescribeUserPool", "iam:SimulatePrincipalPolicy"} <= actions
    assert not any(":Admin" in a or ":Create" in a or ":Update" in a for a in actions)


def test_progress_only_on_a_terminal_outside_ci_for_the_table() -> None:
    assert progress_wanted(Tty(), True, {})
    assert not progress_wanted(io.StringIO(), True, {})  # a pipe
    assert not progress_wanted(Tty(), True, {"CI": "true"})
    assert not progress_wanted(Tty(), True, {"TERM": "dumb"})
    assert not progress_wanted(Tty(), False, {})  # a machine format on stdout


def test_progress_names_the_facts_in_flight_after_the_delay_and_clears_its_line() -> None:
    stream = Tty()
    progress = Progress(stream, delay_s=0.2)
    progress.fact_started("pool_lookup")
    progress.fact_started("iam_principal")
    assert stream.getvalue() == ""  # nothing before the delay
    time.sleep(0.45)
    progress.fact_finished("pool_lookup")
    time.sleep(0.25)
    progress.close()
    shown = stream.getvalue()
    assert "waiting for iam_principal, pool_lookup" in shown
    assert shown.rstrip("\x1b[K\r").endswith("waiting for iam_principal")
    assert shown.endswith("\r\x1b[K")


def test_a_quick_run_shows_no_progress() -> None:
    stream = Tty()
    progress = Progress(stream)
    progress.fact_started("pool_lookup")
    progress.close()
    assert stream.getvalue() == ""
