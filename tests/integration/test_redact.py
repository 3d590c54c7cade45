"""No secret (the service's secret key and session token, the app client's secret) reaches a
report, even when a check tries its best to print one."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterable
from pathlib import Path

from click.testing import CliRunner

from cognito_doctor.cli import main
from cognito_doctor.demo.sandbox import Sandbox
from cognito_doctor.engine.model import Outcome, Report, Status
from cognito_doctor.engine.redact import MASK, Redactor
from cognito_doctor.engine.registry import load_registry
from cognito_doctor.facts.context import run_checks
from cognito_doctor.output.json import report_to_dict
from cognito_doctor.platform.envfiles import UM_ENV
from cognito_doctor.platform.settings import RunConfig
from tests.conftest import result_of

LEAKY = Path(__file__).parents[1] / "plugins" / "leaky"
SECRET = "wJa1rXUtnFEMIK7MDENGbPxRfiCYzq8Kd2Lm9Pq4"
OLD_SECRET = "oLdSeCrEt0123456789abcdefghijklmnopqrstu"
TOKEN = "IQoJb3JpZ2luX2VjEJr//////////wEaCWV1LXdlc3QtMiJHMEUCIQD3TokenBody"


def write_um(root: Path) -> Path:
    um = root / UM_ENV
    um.parent.mkdir(parents=True, exist_ok=True)
    um.write_text(
        "COGNITO_PROVIDER=cognito\n"
        "COGNITO_USER_POOL_ID=eu-west-2_Xy7Pq9Rst\n"
        "COGNITO_REGION=eu-west-2\n"
        "AWS_ACCESS_KEY_ID=ASIAQ3JH5Z2M7XW4KP6D\n"
        f"AWS_SECRET_ACCESS_KEY={OLD_SECRET}\n"  # overridden below, still a secret
        f"AWS_SECRET_ACCESS_KEY='{SECRET}'\n"
        f'export AWS_SESSION_TOKEN="{TOKEN}"\n',
        encoding="utf-8",
    )
    return root


def everything_in(report: Report) -> str:
    """Every word of every result, as the JSON report and the Outcome objects hold them."""
    parts = [json.dumps(report_to_dict(report))]
    for result in report.results:
        outcome: Outcome = result.outcome
        parts += [outcome.message, outcome.fix, outcome.fix_command or "", repr(outcome.evidence)]
    return "\n".join(parts)


def assert_no_secret(text: str, secrets: Iterable[str]) -> None:
    for secret in secrets:
        assert secret not in text
        assert secret[:20] not in text or secret[:20] == secret  # no long prefix either


def test_env_secrets_a_plugin_prints_come_out_masked(tmp_path: Path) -> None:
    registry = load_registry([LEAKY], plugins=False)
    report = run_checks(
        RunConfig(root=write_um(tmp_path), offline=True, only=("leak.env-secrets",)), registry
    )
    leaked = result_of(report, "leak.env-secrets").outcome
    assert leaked.status is Status.FAIL
    assert leaked.message == f"the secret key and token is {MASK} {MASK} (again: '{MASK} {MASK}')"
    assert leaked.fix == f"Rotate {MASK} {MASK} now"
    assert leaked.fix_command == f"echo {MASK} {MASK} | pbcopy"
    evidence = leaked.evidence
    assert evidence["secret"] == f"{MASK} {MASK}"
    assert evidence["nested"]["list"][1] == {"deeper": f"prefix-{MASK} {MASK}-suffix"}
    assert f"{MASK} {MASK}" in evidence["nested"]  # a secret used as a key
    assert evidence["as_set"] == [f"{MASK} {MASK}"]
    assert evidence["as_tuple"] == [f"{MASK} {MASK}"]
    assert MASK in evidence["holder"]  # the whole parsed file, with every value in it
    assert "…KP6D" in evidence["holder"]  # a key id as its last 4 (the house rule)
    assert "ASIAQ3JH5Z2M7XW4KP6D" not in evidence["holder"]
    assert_no_secret(everything_in(report), (SECRET, OLD_SECRET, TOKEN))


def test_a_secret_in_an_exception_message_is_masked(tmp_path: Path) -> None:
    plugin_dir = tmp_path / "plugins"
    plugin_dir.mkdir()
    (plugin_dir / "crash.py").write_text(
        textwrap.dedent(
            '''
            from cognito_doctor.engine.registry import check

            @check("leak.crash", title="Crashes with a secret", severity="error", needs=["um_env"])
            def crash(um_env):
                """
                ## What it checks
                Nothing.

                ## Why it matters
                Exceptions quote values.

                ## How to fix
                Nothing.
                """
                raise ValueError("bad key " + um_env.get("AWS_SECRET_ACCESS_KEY"))
            '''
        ),
        encoding="utf-8",
    )
    registry = load_registry([plugin_dir], plugins=False)
    report = run_checks(
        RunConfig(root=write_um(tmp_path / "repo"), offline=True, only=("leak.*",)), registry
    )
    crashed = result_of(report, "leak.crash").outcome
    assert crashed.status is Status.ERROR
    assert crashed.message == f"check leak.crash crashed: ValueError: bad key {MASK}"


def test_cli_table_and_json_carry_no_env_secret(tmp_path: Path) -> None:
    root = write_um(tmp_path)
    for output_format in ("table", "json"):
        result = CliRunner().invoke(
            main,
            [
                "check",
                "--root",
                str(root),
                "--offline",
                "--checks-dir",
                str(LEAKY),
                "--format",
                output_format,
                "-v",
            ],
        )
        assert result.exit_code == 1, result.output
        assert "leak.env-secrets" in result.output
        assert MASK in result.output
        assert_no_secret(result.output, (SECRET, OLD_SECRET, TOKEN))


def test_client_secret_a_plugin_prints_comes_out_masked(sandbox: Sandbox, tmp_path: Path) -> None:
    setup = sandbox.create_setup(tmp_path)
    idp = sandbox.client("cognito-idp", setup.region)
    client_secret = idp.describe_user_pool_client(
        UserPoolId=setup.pool_id, ClientId=setup.client_id
    )["UserPoolClient"]["ClientSecret"]
    service_secret = setup.um_env["AWS_SECRET_ACCESS_KEY"]
    registry = load_registry([LEAKY], plugins=False)
    report = run_checks(
        RunConfig(root=setup.root, endpoint_url=sandbox.endpoint_url, only=("leak.*",)), registry
    )
    leaked = result_of(report, "leak.client-secret").outcome
    assert leaked.status is Status.FAIL, leaked.message
    assert leaked.message == f"the client secret is {MASK} (again: '{MASK}')"
    assert leaked.evidence["holder"]["ClientSecret"] == MASK
    assert leaked.evidence["holder"]["ClientId"] == setup.client_id
    assert result_of(report, "leak.env-secrets").outcome.evidence["secret"].startswith(MASK)
    assert_no_secret(everything_in(report), (client_secret, service_secret))

    result = CliRunner().invoke(
        main,
        [
            "check",
            "--root",
            str(setup.root),
            "--endpoint-url",
            sandbox.endpoint_url,
            "--checks-dir",
            str(LEAKY),
            "--format",
            "json",
        ],
    )
    assert "leak.client-secret" in result.output
    assert_no_secret(result.output, (client_secret, service_secret))


def test_redactor_masks_the_longest_secret_first_and_leaves_short_values() -> None:
    redactor = Redactor(["abcdefgh", "abcdefgh-and-more", "short", ""])
    assert redactor.text("x abcdefgh-and-more y abcdefgh z") == f"x {MASK} y {MASK} z"
    assert redactor.text("a short word") == "a short word"  # 'short' could be anything
    assert redactor.value({"n": 3, "ok": True, "none": None}) == {"n": 3, "ok": True, "none": None}
