"""Every `aws …` command `check` and `user` print acts on the run's account and endpoint: with
`--profile` and `--endpoint-url` each one carries both (so a pasted command reaches the same
place the run read), without them none carries either (the defaults stay the defaults)."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from cognito_doctor.cli import main
from cognito_doctor.demo.sandbox import Sandbox
from tests.integration.test_email_checks import SES_REGION, ses_setup, unique_domain

# A command inside a fix sentence is quoted in backticks.
QUOTED = re.compile(r"`(aws [^`]+)`")


def invoke(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert "Traceback" not in result.stdout + result.stderr
    return result


def commands_in(text: str, *, quoted: bool = True) -> list[list[str]]:
    """Every `aws` command in `text`: each line that starts with `aws ` (in the table, `$ aws `)
    and, with `quoted`, each one quoted in backticks, split as a shell would; one entry per
    command of an `a && b` line."""
    lines = [line.strip().removeprefix("$ ") for line in text.splitlines()]
    candidates = [line for line in lines if line.startswith("aws ")]
    if quoted:
        candidates += QUOTED.findall(text)
    found: list[list[str]] = []
    for line in candidates:
        current: list[str] = []
        for word in [*shlex.split(line), "&&"]:
            if word != "&&":
                current.append(word)
            elif current:
                found.append(current)
                current = []
    return found


def option(words: list[str], name: str) -> str | None:
    """The value of `--name` in `words` (None when absent)."""
    return words[words.index(name) + 1] if name in words else None


def json_commands(stdout: str) -> list[list[str]]:
    report = json.loads(stdout)
    found: list[list[str]] = []
    for result in report["results"]:
        for field in ("fix", "fix_command"):
            found += commands_in(result.get(field) or "")
    return found


def strings(value: Any) -> Iterator[str]:
    """Every string in a JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def assert_targeted(commands: list[list[str]], profile: str, endpoint: str) -> None:
    assert commands
    for words in commands:
        assert words[0] == "aws"
        assert option(words, "--profile") == profile, shlex.join(words)
        assert option(words, "--endpoint-url") == endpoint, shlex.join(words)


def assert_untargeted(commands: list[list[str]]) -> None:
    assert commands
    for words in commands:
        assert "--profile" not in words, shlex.join(words)
        assert "--endpoint-url" not in words, shlex.join(words)


def test_check_on_the_broken_setup_prints_every_command_with_the_runs_target(
    sandbox: Sandbox, tmp_path: Path, profile: str
) -> None:
    setup = sandbox.create_broken_setup(tmp_path / "broken")
    where = ["--root", str(setup.root), "--profile", profile]
    where += ["--endpoint-url", sandbox.endpoint_url]
    table = invoke("check", *where)
    assert table.exit_code == 1, table.stdout + table.stderr
    # Wrapped sentences may break a quoted command: the table's own command lines only.
    table_commands = commands_in(table.stdout, quoted=False)
    assert_targeted(table_commands, profile, sandbox.endpoint_url)
    as_json = invoke("check", *where, "--format", "json")
    json_found = json_commands(as_json.stdout)
    assert_targeted(json_found, profile, sandbox.endpoint_url)
    # The pool, the client and the IAM policy each get their commands.
    operations = {(words[1], words[2]) for words in json_found}
    assert ("cognito-idp", "create-user-pool-client") in operations
    assert ("cognito-idp", "create-user-pool") in operations
    assert ("iam", "put-user-policy") in operations


def test_check_without_a_profile_or_endpoint_prints_commands_without_them(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup = sandbox.create_broken_setup(tmp_path / "broken")
    # The default profile's own endpoint_url (botocore's configured endpoint) reaches the
    # sandbox, so the command line names neither a profile nor an endpoint; a pasted command
    # reads the same default profile.
    config = tmp_path / "aws-config"
    config.write_text(f"[default]\nregion = eu-west-2\nendpoint_url = {sandbox.endpoint_url}\n")
    credentials = tmp_path / "aws-credentials"
    credentials.write_text(
        "[default]\naws_access_key_id = testing\naws_secret_access_key = testing\n"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    as_json = invoke("check", "--root", str(setup.root), "--format", "json")
    found = json_commands(as_json.stdout)
    assert_untargeted(found)
    # The online checks ran (their commands are there), so the sandbox was reached.
    assert ("iam", "put-user-policy") in {(words[1], words[2]) for words in found}
    table = invoke("check", "--root", str(setup.root))
    assert_untargeted(commands_in(table.stdout, quoted=False))


def test_the_ses_commands_carry_the_target(sandbox: Sandbox, tmp_path: Path, profile: str) -> None:
    domain = unique_domain()
    setup = ses_setup(sandbox, tmp_path / "ses", domain)
    result = invoke(
        "check",
        "--root",
        str(setup.root),
        "--profile",
        profile,
        "--endpoint-url",
        sandbox.endpoint_url,
        "--only",
        "email.*",
        "--format",
        "json",
    )
    found = json_commands(result.stdout)
    assert_targeted(found, profile, sandbox.endpoint_url)
    create = next(w for w in found if w[1:3] == ["sesv2", "create-email-identity"])
    assert option(create, "--region") == SES_REGION
    assert option(create, "--email-identity") == domain


def test_the_user_commands_carry_the_target(sandbox: Sandbox, tmp_path: Path, profile: str) -> None:
    setup = sandbox.create_setup(tmp_path / "setup")
    where = ["--root", str(setup.root), "--profile", profile]
    where += ["--endpoint-url", sandbox.endpoint_url]
    missing = invoke("user", "nobody@clinic.test", *where)
    found = commands_in(missing.stdout)
    assert_targeted(found, profile, sandbox.endpoint_url)
    assert [w[1:3] for w in found] == [["cognito-idp", "admin-create-user"]]
    idp = sandbox.client("cognito-idp")
    idp.admin_create_user(
        UserPoolId=setup.pool_id,
        Username="off@clinic.test",
        UserAttributes=[
            {"Name": "email", "Value": "off@clinic.test"},
            {"Name": "name", "Value": "Off"},
        ],
        MessageAction="SUPPRESS",
    )
    idp.admin_disable_user(UserPoolId=setup.pool_id, Username="off@clinic.test")
    disabled = invoke("user", "off@clinic.test", *where, "--format", "json")
    commands = [c for text in strings(json.loads(disabled.stdout)) for c in commands_in(text)]
    assert_targeted(commands, profile, sandbox.endpoint_url)
    assert ["cognito-idp", "admin-enable-user"] in [w[1:3] for w in commands]
