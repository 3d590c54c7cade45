"""Reading `.env` files the way the services' loader does (dotenv for Node by default,
python-dotenv on request), with the line numbers an editor shows, and env.files reporting every
file that is missing, unreadable, malformed or has duplicate keys."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from cognito_doctor.engine.model import Location, Outcome, Report, Status
from cognito_doctor.platform.envfiles import AUTH_ENV, UM_ENV, EnvReader, read_env_file
from tests.conftest import result_of

POOL_ID = "eu-west-2_Xy7Pq9Rst"
KEY_ID = "AKIAQ3JH5Z2M7XW4KP6D"
SECRET = "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"
HEALTHY_UM = (
    "COGNITO_PROVIDER=cognito\n"
    f"COGNITO_USER_POOL_ID={POOL_ID}\n"
    "COGNITO_REGION=eu-west-2\n"
    f"AWS_ACCESS_KEY_ID={KEY_ID}\n"
    f"AWS_SECRET_ACCESS_KEY={SECRET}\n"
)
HEALTHY_AUTH = (
    f"COGNITO_USER_POOL_ID={POOL_ID}\n"
    "COGNITO_REGION=eu-west-2\n"
    "COGNITO_APP_CLIENT_ID=4k2j9d8s7f6g5h4j3k2l1m0n9p\n"
)


def write(root: Path, label: str, content: str | bytes) -> Path:
    """Write `content` byte for byte (no newline translation)."""
    path = root / label
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def setup_files(root: Path, um: str | bytes = HEALTHY_UM, auth: str | bytes = HEALTHY_AUTH) -> None:
    write(root, UM_ENV, um)
    write(root, AUTH_ENV, auth)


def lines_of(
    root: Path, label: str, reader: EnvReader = EnvReader.NODE
) -> dict[str, tuple[str | None, int]]:
    """key → (value, line) of the assignment that wins."""
    env = read_env_file(root, label, reader)
    assert env.problem is None, env.problem
    return {entry.key: (entry.value, entry.line) for entry in env.entries}


@pytest.fixture
def run_env(run_report: Callable[..., Report]) -> Callable[[Path], Report]:
    def run(root: Path, reader: EnvReader = EnvReader.NODE) -> Report:
        return run_report(root, offline=True, only=("env.*",), env_reader=reader)

    return run


def outcome(report: Report, check_id: str) -> Outcome:
    return result_of(report, check_id).outcome  # type: ignore[no-any-return]


# --- the dotenv dialect, with true line numbers ----------------------------------------


DIALECT_TEXT = (
    "\ufeff# user-management\r\n"  # 1: a BOM, then a comment, CRLF endings throughout
    "\r\n"  # 2
    "export COGNITO_PROVIDER=cognito   # the real provider\r\n"  # 3
    f"COGNITO_USER_POOL_ID='{POOL_ID}'\r\n"  # 4
    '   COGNITO_REGION = "eu-west-2"\r\n'  # 5: indented, spaces round '='
    "   \r\n"  # 6: whitespace only
    "\t\r\n"  # 7
    f"AWS_ACCESS_KEY_ID={KEY_ID} # inline comment\r\n"  # 8
    f'AWS_SECRET_ACCESS_KEY="{SECRET}"\r\n'  # 9
    "QUOTED_HASH='a # b'\r\n"  # 10
    "HASH_NO_SPACE=a#b\r\n"  # 11
    'MULTI="first\r\nsecond"\r\n'  # 12-13
    "EMPTY=\r\n"  # 14
    "AFTER_MULTI=yes"  # 15, no final newline
)


def test_every_dialect_parses_as_node_reads_it_with_editor_line_numbers(tmp_path: Path) -> None:
    setup_files(tmp_path, um=DIALECT_TEXT)
    assert lines_of(tmp_path, UM_ENV) == {
        "COGNITO_PROVIDER": ("cognito", 3),
        "COGNITO_USER_POOL_ID": (POOL_ID, 4),
        "COGNITO_REGION": ("eu-west-2", 5),
        "AWS_ACCESS_KEY_ID": (KEY_ID, 8),
        "AWS_SECRET_ACCESS_KEY": (SECRET, 9),
        "QUOTED_HASH": ("a # b", 10),
        "HASH_NO_SPACE": ("a", 11),  # Node: an unquoted '#' starts a comment
        "MULTI": ("first\nsecond", 12),  # Node turns CRLF into LF before parsing
        "EMPTY": ("", 14),
        "AFTER_MULTI": ("yes", 15),
    }


def test_every_dialect_parses_as_python_dotenv_reads_it(tmp_path: Path) -> None:
    setup_files(tmp_path, um=DIALECT_TEXT)
    assert lines_of(tmp_path, UM_ENV, EnvReader.PYTHON) == {
        "COGNITO_PROVIDER": ("cognito", 3),
        "COGNITO_USER_POOL_ID": (POOL_ID, 4),
        "COGNITO_REGION": ("eu-west-2", 5),
        "AWS_ACCESS_KEY_ID": (KEY_ID, 8),
        "AWS_SECRET_ACCESS_KEY": (SECRET, 9),
        "QUOTED_HASH": ("a # b", 10),
        "HASH_NO_SPACE": ("a#b", 11),
        "MULTI": ("first\r\nsecond", 12),
        "EMPTY": ("", 14),
        "AFTER_MULTI": ("yes", 15),
    }


def test_dialect_file_passes_the_env_checks(tmp_path: Path, run_env: Callable[..., Report]) -> None:
    um = (
        "\ufeffexport COGNITO_PROVIDER='cognito'  # set by ops\r\n"
        f'COGNITO_USER_POOL_ID="{POOL_ID}"\r\n'
        "# region below\r\n"
        "COGNITO_REGION=eu-west-2 # London\r\n"
        f"export AWS_ACCESS_KEY_ID={KEY_ID}\r\n"
        f"AWS_SECRET_ACCESS_KEY='{SECRET}'\r\n"
    )
    setup_files(tmp_path, um=um)
    report = run_env(tmp_path)
    assert {r.spec.id: r.status for r in report.results} == {
        "env.files": Status.PASS,
        "env.provider": Status.PASS,
        "env.pool-id": Status.PASS,
        "env.region": Status.PASS,
        "env.issuer": Status.PASS,
        "env.app-client-id": Status.PASS,
        "env.aws-credentials": Status.PASS,
    }


def test_finding_after_bom_crlf_and_blank_lines_points_at_the_real_line(
    tmp_path: Path, run_env: Callable[..., Report]
) -> None:
    um = (
        "\ufeff# header\r\n"  # 1
        "\r\n"  # 2
        "  \r\n"  # 3
        "# provider:\r\n"  # 4
        "export COGNITO_PROVIDER=mock # TODO\r\n"  # 5
        + HEALTHY_UM.replace("COGNITO_PROVIDER=cognito\n", "").replace("\n", "\r\n")
    )
    setup_files(tmp_path, um=um)
    found = outcome(run_env(tmp_path), "env.provider")
    assert found.status is Status.FAIL
    assert found.location == Location(UM_ENV, 5)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("A=1\nB='x y'\nTARGET=v\n", 3),
        ("\n\n\nTARGET=v\n", 4),
        ("A=1\n   \n\t\nTARGET=v\n", 4),
        ("A=1\r\rTARGET=v\r", 3),  # classic Mac line endings
        ("A=1\r\n\r\n\r\nTARGET=v\r\n", 4),
        ('A="one\ntwo\nthree"\nTARGET=v\n', 4),
        ("# a\n# b\nexport TARGET=v\n", 3),
        ("\ufeff\nTARGET=v\n", 2),
    ],
)
def test_line_numbers_count_like_an_editor(tmp_path: Path, text: str, line: int) -> None:
    setup_files(tmp_path, auth=text)
    assert lines_of(tmp_path, AUTH_ENV)["TARGET"] == ("v", line)


# --- malformed lines -------------------------------------------------------------------


def test_unterminated_quote_is_named_as_file_and_real_line(
    tmp_path: Path, run_env: Callable[..., Report]
) -> None:
    auth = (
        "# auth service\r\n"  # 1
        "\r\n"  # 2
        f"COGNITO_USER_POOL_ID={POOL_ID}\r\n"  # 3
        "   \r\n"  # 4
        "COGNITO_APP_CLIENT_ID='4k2j9d8s7f6g5h4j3k2l1m0n9p\r\n"  # 5: quote never closed
        "COGNITO_REGION=eu-west-2\r\n"  # 6
    )
    setup_files(tmp_path, auth=auth)
    env = read_env_file(tmp_path, AUTH_ENV, EnvReader.PYTHON)
    assert env.malformed_lines == (5,)
    assert env.get("COGNITO_REGION") == "eu-west-2"  # the loader carries on after it
    assert env.location("COGNITO_REGION") == Location(AUTH_ENV, 6)

    report = run_env(tmp_path, EnvReader.PYTHON)
    files = outcome(report, "env.files")
    assert files.status is Status.FAIL
    assert files.message == (f"1 line(s) don't parse and are ignored by the loader: {AUTH_ENV}:5")
    assert files.location == Location(AUTH_ENV, 5)
    assert "close every quote" in files.fix
    # The dropped line's key counts as unset for the checks that read it.
    assert outcome(report, "env.app-client-id").status is Status.WARN


def test_node_keeps_an_unterminated_quote_and_the_doctor_says_so(
    tmp_path: Path, run_env: Callable[..., Report]
) -> None:
    auth = HEALTHY_AUTH.replace(
        "COGNITO_APP_CLIENT_ID=4k2j", "COGNITO_APP_CLIENT_ID='4k2j"
    )  # line 3: quote never closed
    setup_files(tmp_path, auth=auth)
    env = read_env_file(tmp_path, AUTH_ENV)
    assert env.malformed_lines == ()
    assert env.get("COGNITO_APP_CLIENT_ID") == "'4k2j9d8s7f6g5h4j3k2l1m0n9p"  # as Node reads it
    report = run_env(tmp_path)
    files = outcome(report, "env.files")
    assert files.status is Status.WARN
    assert f"{AUTH_ENV}:3" in files.message and "never closed" in files.message
    client = outcome(report, "env.app-client-id")
    assert client.status is Status.FAIL
    assert "never closed" in client.message
    assert client.location == Location(AUTH_ENV, 3)


def test_line_without_equals_sign_is_malformed(
    tmp_path: Path, run_env: Callable[..., Report]
) -> None:
    um = HEALTHY_UM + "\nLOG_LEVEL info\nDEBUG\n"  # lines 7 and 8
    setup_files(tmp_path, um=um)
    assert read_env_file(tmp_path, UM_ENV).malformed_lines == (7, 8)
    files = outcome(run_env(tmp_path), "env.files")
    assert files.status is Status.FAIL
    assert files.message.endswith(f"{UM_ENV}:7, {UM_ENV}:8")
    assert files.location == Location(UM_ENV, 7)
    assert "KEY=value" in files.fix


def test_malformed_lines_in_both_files_are_all_named(
    tmp_path: Path, run_env: Callable[..., Report]
) -> None:
    setup_files(
        tmp_path, um=HEALTHY_UM + 'BROKEN="no end\n', auth="JUST A SENTENCE\n" + HEALTHY_AUTH
    )
    files = outcome(run_env(tmp_path, EnvReader.PYTHON), "env.files")
    assert files.status is Status.FAIL
    assert files.message == (
        f"2 line(s) don't parse and are ignored by the loader: {UM_ENV}:6, {AUTH_ENV}:1"
    )
    assert files.evidence["malformed"] == [f"{UM_ENV}:6", f"{AUTH_ENV}:1"]


# --- duplicate keys --------------------------------------------------------------------


def test_duplicate_key_warns_naming_both_lines_and_that_the_last_wins(
    tmp_path: Path, run_env: Callable[..., Report]
) -> None:
    um = "COGNITO_PROVIDER=mock\n" + HEALTHY_UM  # line 1 mock, line 2 cognito
    setup_files(tmp_path, um=um)
    report = run_env(tmp_path)
    files = outcome(report, "env.files")
    assert files.status is Status.WARN
    assert files.message == (
        f"keys set more than once: {UM_ENV}: COGNITO_PROVIDER on lines 1, 2 (line 2 wins)"
    )
    assert "the loader uses the last one (COGNITO_PROVIDER on line 2)" in files.fix
    assert files.location == Location(UM_ENV, 1)
    # ... and the checks do read the last one.
    provider = outcome(report, "env.provider")
    assert provider.status is Status.PASS
    # The pass points at the line it read (it used to land in evidence, with location null).
    assert provider.location == Location(UM_ENV, 2)
    assert "location" not in provider.evidence
    assert report.ok


def test_duplicate_with_the_wrong_value_last_fails_at_the_last_line(
    tmp_path: Path, run_env: Callable[..., Report]
) -> None:
    auth = HEALTHY_AUTH + "\n# later override\nCOGNITO_REGION=eu-west-1\n"  # line 6
    setup_files(tmp_path, auth=auth)
    report = run_env(tmp_path)
    files = outcome(report, "env.files")
    assert files.status is Status.WARN
    assert f"{AUTH_ENV}: COGNITO_REGION on lines 2, 6 (line 6 wins)" in files.message
    region = outcome(report, "env.region")
    assert region.status is Status.FAIL
    assert region.location == Location(AUTH_ENV, 6)


# --- files that are missing or not text ------------------------------------------------


def test_missing_auth_file_fails_env_files_and_auth_checks_skip(
    tmp_path: Path, run_env: Callable[..., Report]
) -> None:
    write(tmp_path, UM_ENV, HEALTHY_UM)
    report = run_env(tmp_path)
    files = outcome(report, "env.files")
    assert files.status is Status.FAIL
    assert files.message == f"{AUTH_ENV} does not exist"
    assert files.fix.startswith(f"Create {AUTH_ENV} with the settings from the runbook's step 3")
    assert files.location == Location(AUTH_ENV)
    for check_id in ("env.issuer", "env.app-client-id"):
        skipped = outcome(report, check_id)
        assert skipped.status is Status.SKIP, check_id
        assert skipped.message == f"{AUTH_ENV} does not exist (see env.files)"
    # The checks that only need user-management's file still run.
    assert outcome(report, "env.provider").status is Status.PASS
    assert outcome(report, "env.aws-credentials").status is Status.PASS
    assert outcome(report, "env.pool-id").status is Status.PASS
    assert not report.ok


def test_both_files_missing_names_both(tmp_path: Path, run_env: Callable[..., Report]) -> None:
    report = run_env(tmp_path)
    files = outcome(report, "env.files")
    assert files.status is Status.FAIL
    assert files.message == f"{UM_ENV} does not exist; {AUTH_ENV} does not exist"
    assert outcome(report, "env.provider").message == f"{UM_ENV} does not exist (see env.files)"
    assert outcome(report, "env.pool-id").status is Status.SKIP


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"COGNITO_PROVIDER=cognito\n\x00\x01\x02ELF", "is a binary file (NUL byte at offset 25)"),
        (b"A=1\nB=2\nC=caf\xe9\n", ":3 is not valid UTF-8 (byte 13)"),
        (
            "COGNITO_PROVIDER=cognito\n".encode("utf-16"),
            "is saved as UTF-16; the loaders read UTF-8, save it as UTF-8",
        ),
    ],
)
def test_file_that_is_not_text_is_a_clear_problem(
    tmp_path: Path, run_env: Callable[..., Report], content: bytes, problem: str
) -> None:
    setup_files(tmp_path, um=content)
    report = run_env(tmp_path)
    files = outcome(report, "env.files")
    assert files.status is Status.FAIL
    assert files.message.startswith(UM_ENV)
    assert problem in files.message
    assert files.location == Location(UM_ENV)
    provider = outcome(report, "env.provider")
    assert provider.status is Status.SKIP
    assert problem in provider.message and "(see env.files)" in provider.message
    assert not any(r.status is Status.ERROR for r in report.results)


def test_directory_in_place_of_the_file(tmp_path: Path, run_env: Callable[..., Report]) -> None:
    write(tmp_path, UM_ENV, HEALTHY_UM)
    (tmp_path / AUTH_ENV).mkdir(parents=True)
    report = run_env(tmp_path)
    files = outcome(report, "env.files")
    assert files.status is Status.FAIL
    assert files.message == f"{AUTH_ENV} is a directory, not a file"
    assert outcome(report, "env.issuer").status is Status.SKIP
    assert not any(r.status is Status.ERROR for r in report.results)


def test_service_directory_that_is_a_file(tmp_path: Path, run_env: Callable[..., Report]) -> None:
    write(tmp_path, UM_ENV, HEALTHY_UM)
    write(tmp_path, "services/auth", "not a directory")
    files = outcome(run_env(tmp_path), "env.files")
    assert files.status is Status.FAIL
    assert files.message.startswith(f"{AUTH_ENV} cannot be read")
