"""The plan's `.env` edits: only the changed values move, everything else stays byte for byte;
checked against python-dotenv (what the doctor reads) and, differentially on generated files,
against npm `dotenv` (what the services load)."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from cognito_doctor.platform.envfiles import parse_env_text
from cognito_doctor.remediation.envedit import edit_env_text, unified_diff

DOTENV_VERSION = "16.4.5"
CASES = 200


def values(text: str) -> dict[str, str | None]:
    parsed = parse_env_text("x", Path("x"), text)
    return {entry.key: entry.value for entry in parsed.entries}


def test_only_the_value_changes_and_comments_order_quotes_and_crlf_stay() -> None:
    text = (
        "\ufeff# header\r\n"
        'export COGNITO_PROVIDER = "mock"  # set by the runbook\r\n'
        "\r\n"
        "COGNITO_REGION='eu-west-1'\r\n"
        "SECRET=abc#not-a-comment\r\n"
        "COGNITO_REGION=eu-west-3   # the one that wins\r\n"
    )
    edited = edit_env_text(text, {"COGNITO_PROVIDER": "cognito", "COGNITO_REGION": "eu-west-2"})
    assert edited == text.replace('"mock"', '"cognito"').replace("eu-west-3   #", "eu-west-2   #")
    assert values(edited)["COGNITO_REGION"] == "eu-west-2"


def test_a_new_key_is_added_with_the_files_line_ending_and_a_removed_one_goes() -> None:
    text = "A=1\r\nB=2\r\nC=3"
    edited = edit_env_text(text, {"B": None, "D": "x y"})
    assert edited == 'A=1\r\nC=3\r\nD="x y"\r\n'
    assert values(edited) == {"A": "1", "C": "3", "D": "x y"}


def test_the_diff_never_shows_a_secret_line() -> None:
    text = "AWS_SECRET_ACCESS_KEY=kS9Qw2Lr7Tz4Xv1Nb6Hm3Jd8Fp5Gc0Ys2Ue7Ai4"
    edited = edit_env_text(text, {"COGNITO_PROVIDER": "cognito"})
    diff = unified_diff("u/.env", text, edited)
    assert "kS9Qw2Lr7Tz4" not in diff
    assert "+COGNITO_PROVIDER=cognito" in diff


def generated_file(rng: random.Random) -> tuple[str, dict[str, str | None]]:
    """A .env in the styles people write, and the edit to make to it."""
    end = rng.choice(["\n", "\r\n"])
    lines: list[str] = []
    keys = ["COGNITO_PROVIDER", "COGNITO_REGION", "COGNITO_USER_POOL_ID", "OTHER", "PORT"]
    for key in rng.sample(keys, rng.randint(1, len(keys))):
        if rng.random() < 0.3:
            lines.append(rng.choice(["# a comment", "", "   ", "# KEY=commented"]))
        quote = rng.choice(["", "'", '"'])
        value = rng.choice(["mock", "eu-west-1", "x_Ab1", "a b" if quote else "ab", ""])
        lead = rng.choice(["", "export "])
        spacing = rng.choice(["=", " = ", "= "])
        comment = rng.choice(["", "  # note", " #n"])
        lines.append(f"{lead}{key}{spacing}{quote}{value}{quote}{comment}")
    text = end.join(lines) + rng.choice([end, ""])
    edit: dict[str, str | None] = {
        key: rng.choice(["cognito", "eu-west-2", "eu-west-2_Ab1", None])
        for key in rng.sample(keys, rng.randint(1, 3))
    }
    return text, edit


def test_generated_edits_agree_with_python_dotenv() -> None:
    rng = random.Random(13)
    for _ in range(CASES):
        text, edit = generated_file(rng)
        expected = {**values(text), **edit}
        expected = {k: v for k, v in expected.items() if v is not None}
        assert values(edit_env_text(text, edit)) == expected, (text, edit)


@pytest.fixture(scope="session")
def node_dotenv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node is not installed: npm dotenv (the services' loader) cannot run")
    prefix = tmp_path_factory.mktemp("npm-dotenv")
    subprocess.run(
        ["npm", "install", "--silent", "--prefix", str(prefix), f"dotenv@{DOTENV_VERSION}"],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return prefix


def test_generated_edits_agree_with_npm_dotenv(node_dotenv: Path, tmp_path: Path) -> None:
    """The services load their .env with npm dotenv: every generated edit, parsed by it,
    has exactly the edit's values and every other key as before."""
    rng = random.Random(1313)
    cases = []
    for number in range(CASES):
        text, edit = generated_file(rng)
        before, after = tmp_path / f"{number}.before", tmp_path / f"{number}.after"
        before.write_bytes(text.encode())
        after.write_bytes(edit_env_text(text, edit).encode())
        cases.append((str(before), str(after), edit))
    script = (
        "const d=require('dotenv');const fs=require('fs');"
        "const cases=JSON.parse(fs.readFileSync(0,'utf8'));"
        "console.log(JSON.stringify(cases.map(([b,a])=>"
        "[d.parse(fs.readFileSync(b)),d.parse(fs.readFileSync(a))])));"
    )
    answer = subprocess.run(
        ["node", "-e", script],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        check=True,
        cwd=node_dotenv,
        env={"NODE_PATH": str(node_dotenv / "node_modules"), "PATH": "/usr/bin:/bin"},
    )
    parsed = json.loads(answer.stdout)
    assert len(parsed) == CASES
    for (_, _, edit), (before, after) in zip(cases, parsed, strict=True):
        expected = {**before, **{k: v for k, v in edit.items() if v is not None}}
        for key, value in edit.items():
            if value is None:
                expected.pop(key, None)
        assert after == expected, edit
