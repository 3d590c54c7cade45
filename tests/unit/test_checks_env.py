"""The env.* checks, offline, over `.env` files written into tmp_path: every pass, fail and warn
with the words a person acts on and the file:line it points at."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from cognito_doctor.demo.sandbox import write_env_file
from cognito_doctor.engine.model import Location, Outcome, Report, Rules, Status
from cognito_doctor.engine.registry import load_registry
from cognito_doctor.facts.context import run_checks
from cognito_doctor.output.json import report_to_dict
from cognito_doctor.platform.envfiles import AUTH_ENV, UM_ENV
from cognito_doctor.platform.settings import RunConfig
from tests.conftest import result_of

POOL_ID = "eu-west-2_Xy7Pq9Rst"
REGION = "eu-west-2"
ISSUER = f"https://cognito-idp.{REGION}.amazonaws.com/{POOL_ID}"
KEY_ID = "AKIAQ3JH5Z2M7XW4KP6D"
SECRET = "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"
TOKEN = "IQoJb3JpZ2luX2VjEJr//////////wEaCWV1LXdlc3QtMiJHMEUCIQD3TokenBody"
CLIENT_ID = "4k2j9d8s7f6g5h4j3k2l1m0n9p"

UM_BASE: dict[str, str] = {
    "COGNITO_PROVIDER": "cognito",
    "COGNITO_USER_POOL_ID": POOL_ID,
    "COGNITO_REGION": REGION,
    "AWS_ACCESS_KEY_ID": KEY_ID,
    "AWS_SECRET_ACCESS_KEY": SECRET,
}
AUTH_BASE: dict[str, str] = {
    "COGNITO_USER_POOL_ID": POOL_ID,
    "COGNITO_REGION": REGION,
    "COGNITO_APP_CLIENT_ID": CLIENT_ID,
}


@dataclass(frozen=True)
class Written:
    """The `.env` files a test wrote: the keys of each, in line order."""

    root: Path
    keys: Mapping[str, list[str]]

    def at(self, label: str, key: str) -> Location:
        """The location a finding about `key` should point at (its 1-based line)."""
        return Location(label, self.keys[label].index(key) + 1)


def write_envs(
    root: Path,
    um: Mapping[str, str | None] | None = None,
    auth: Mapping[str, str | None] | None = None,
) -> Written:
    """The healthy files with `um` / `auth` applied (None removes a key), one KEY=value a line."""
    keys: dict[str, list[str]] = {}
    for label, base, changes in ((UM_ENV, UM_BASE, um), (AUTH_ENV, AUTH_BASE, auth)):
        values: dict[str, str | None] = {**base, **(changes or {})}
        lines = [(k, v) for k, v in values.items() if v is not None]
        path = root / label
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(f"{k}={v}\n" for k, v in lines), encoding="utf-8")
        keys[label] = [k for k, _ in lines]
    return Written(root, keys)


SECRETS = (SECRET, TOKEN)


@pytest.fixture
def env_run(run_report: Callable[..., Report]) -> Callable[..., Report]:
    """Run only the env checks, offline, and insist no secret reached the report."""

    def run(root: Path, **options: object) -> Report:
        report = run_report(root, offline=True, only=("env.*",), **options)
        text = json.dumps(report_to_dict(report))
        for secret in SECRETS:
            assert secret not in text
        return report

    return run


def outcome(report: Report, check_id: str) -> Outcome:
    result = result_of(report, check_id)
    assert result.spec.id == check_id
    return result.outcome  # type: ignore[no-any-return]


def test_healthy_files_pass_every_env_check(tmp_path: Path, env_run: Callable[..., Report]) -> None:
    write_envs(tmp_path)
    report = env_run(tmp_path)
    assert {r.spec.id: r.status for r in report.results} == {
        "env.files": Status.PASS,
        "env.provider": Status.PASS,
        "env.pool-id": Status.PASS,
        "env.region": Status.PASS,
        "env.issuer": Status.PASS,
        "env.app-client-id": Status.PASS,
        "env.aws-credentials": Status.PASS,
    }
    assert POOL_ID in outcome(report, "env.pool-id").message
    assert outcome(report, "env.region").message == f"COGNITO_REGION={REGION}"
    assert ISSUER in outcome(report, "env.issuer").message
    assert outcome(report, "env.app-client-id").message == f"COGNITO_APP_CLIENT_ID={CLIENT_ID}"
    assert report.ok


# --- env.provider ----------------------------------------------------------------------


def test_provider_mock_fails_saying_no_invitation_email(
    tmp_path: Path, env_run: Callable[..., Report]
) -> None:
    written = write_envs(tmp_path, um={"COGNITO_PROVIDER": "mock"})
    found = outcome(env_run(tmp_path), "env.provider")
    assert found.status is Status.FAIL
    assert "mock mode never calls AdminCreateUser" in found.message
    assert "no invitation email" in found.message
    assert found.fix == (f"Set COGNITO_PROVIDER=cognito in {UM_ENV} and restart user-management.")
    assert found.location == written.at(UM_ENV, "COGNITO_PROVIDER") == Location(UM_ENV, 1)


def test_provider_unset_fails_as_the_mock_default(
    tmp_path: Path, env_run: Callable[..., Report]
) -> None:
    write_envs(tmp_path, um={"COGNITO_PROVIDER": None})
    found = outcome(env_run(tmp_path), "env.provider")
    assert found.status is Status.FAIL
    assert "COGNITO_PROVIDER is not set" in found.message
    assert "mock provider" in found.message
    assert found.location == Location(UM_ENV, None)
    assert "COGNITO_PROVIDER=cognito" in found.fix


def test_provider_other_value_fails_naming_it(
    tmp_path: Path, env_run: Callable[..., Report]
) -> None:
    written = write_envs(tmp_path, um={"COGNITO_PROVIDER": "aws"})
    found = outcome(env_run(tmp_path), "env.provider")
    assert found.status is Status.FAIL
    assert found.message == "COGNITO_PROVIDER='aws' is neither 'cognito' nor 'mock'"
    assert found.location == written.at(UM_ENV, "COGNITO_PROVIDER")


# --- env.pool-id -----------------------------------------------------------------------


def test_pool_id_missing_in_auth_fails_naming_the_file(
    tmp_path: Path, env_run: Callable[..., Report]
) -> None:
    write_envs(tmp_path, auth={"COGNITO_USER_POOL_ID": None})
    found = outcome(env_run(tmp_path), "env.pool-id")
    assert found.status is Status.FAIL
    assert found.message == f"COGNITO_USER_POOL_ID is not set in {AUTH_ENV}"
    assert found.location == Location(AUTH_ENV, None)
    assert "User Pool ID" in found.fix and AUTH_ENV in found.fix


def test_pool_id_empty_value_points_at_its_line(
    tmp_path: Path, env_run: Callable[..., Report]
) -> None:
    written = write_envs(tmp_path, um={"COGNITO_USER_POOL_ID": ""})
    found = outcome(env_run(tmp_path), "env.pool-id")
    assert found.status is Status.FAIL
    assert found.message == f"COGNITO_USER_POOL_ID is not set in {UM_ENV}"
    assert found.location == written.at(UM_ENV, "COGNITO_USER_POOL_ID") == Location(UM_ENV, 2)


def test_pool_id_differing_between_files_fails_naming_both_values(
    tmp_path: Path, env_run: Callable[..., Report]
) -> None:
    other = "eu-west-2_Other999"
    written = write_envs(tmp_path, auth={"COGNITO_USER_POOL_ID": other})
    found = outcome(env_run(tmp_path), "env.pool-id")
    assert found.status is Status.FAIL
    # Both ids fit COGNITO_REGION: offline nothing says which is right, so both lines are named.
    assert found.message == (
        f"COGNITO_USER_POOL_ID differs: {UM_ENV}:2 has {POOL_ID}, {AUTH_ENV}:1 has {other}"
    )
    assert found.fix.startswith("Use the same COGNITO_USER_POOL_ID in")
    assert found.location == written.at(AUTH_ENV, "COGNITO_USER_POOL_ID")
    assert found.evidence["locations"] == [f"{UM_ENV}:2", f"{AUTH_ENV}:1"]


def test_pool_id_differing_is_located_at_the_one_that_disagrees_with_the_region(
    tmp_path: Path, env_run: Callable[..., Report]
) -> None:
    other = "us-east-1_Other999"
    written = write_envs(tmp_path, um={"COGNITO_USER_POOL_ID": other})
    found = outcome(env_run(tmp_path), "env.pool-id")
    assert found.status is Status.FAIL
    assert found.location == written.at(UM_ENV, "COGNITO_USER_POOL_ID")
    assert f"so {UM_ENV}:2 is wrong" in found.message
    assert found.fix == f"Set COGNITO_USER_POOL_ID={POOL_ID} in {UM_ENV}."


def test_pool_id_with_a_space_kept_inside_quotes_fails(
    tmp_path: Path, env_run: Callable[..., Report]
) -> None:
    quoted = f'"{POOL_ID} "'
    written = write_envs(
        tmp_path, um={"COGNITO_USER_POOL_ID": quoted}, auth={"COGNITO_USER_POOL_ID": quoted}
    )
    found = outcome(env_run(tmp_path), "env.pool-id")
    assert found.status is Status.FAIL
    assert repr(f"{POOL_ID} ") in found.message and "whitespace" in found.message
    assert found.location == written.at(UM_ENV, "COGNITO_USER_POOL_ID")


def test_pool_id_runbook_example_fails(tmp_path: Path, env_run: Callable[..., Report]) -> None:
    example = "eu-west-2_AbCdEf123"
    written = write_envs(
        tmp_path, um={"COGNITO_USER_POOL_ID": example}, auth={"COGNITO_USER_POOL_ID": example}
    )
    found = outcome(env_run(tmp_path), "env.pool-id")
    assert found.status is Status.FAIL
    assert "runbook's example value eu-west-2_AbCdEf123" in found.message
    assert found.location == written.at(UM_ENV, "COGNITO_USER_POOL_ID")


@pytest.mark.parametrize(
    ("pool_id", "words"),
    [
        ("eu-west-2-Xy7Pq9Rst", "is not a pool id"),
        ("eu-west-2_Xy7Pq9Rst!", "is not a pool id"),
        ("eu-west-2_" + "a" * 50, "is not a pool id"),
        ("eu-west-9_Xy7Pq9Rst", "starts with 'eu-west-9', which is not an AWS region"),
        ("europe_Xy7Pq9Rst", "starts with 'europe', which is not an AWS region"),
    ],
)
def test_pool_id_malformed_fails(
    tmp_path: Path, env_run: Callable[..., Report], pool_id: str, words: str
) -> None:
    written = write_envs(
        tmp_path, um={"COGNITO_USER_POOL_ID": pool_id}, auth={"COGNITO_USER_POOL_ID": pool_id}
    )
    found = outcome(env_run(tmp_path), "env.pool-id")
    assert found.status is Status.FAIL
    assert words in found.message
    assert repr(pool_id) in found.message
    assert found.location == written.at(UM_ENV, "COGNITO_USER_POOL_ID")


# --- env.region ------------------------------------------------------------------------


def test_region_missing_fails_with_the_pool_region_in_the_fix(
    tmp_path: Path, env_run: Callable[..., Report]
) -> None:
    write_envs(tmp_path, um={"COGNITO_REGION": None})
    found = outcome(env_run(tmp_path), "env.region")
    assert found.status is Status.FAIL
    assert found.message == f"COGNITO_REGION is not set in {UM_ENV}"
    assert found.fix == f"Set COGNITO_REGION={REGION} in {UM_ENV} and {AUTH_ENV}."
    assert found.location == Location(UM_ENV, None)


def test_region_differing_between_files_fails(
    tmp_path: Path, env_run: Callable[..., Report]
) -> None:
    written = write_envs(tmp_path, auth={"COGNITO_REGION": "eu-west-1"})
    found = outcome(env_run(tmp_path), "env.region")
    assert found.status is Status.FAIL
    assert found.message == (
        f"COGNITO_REGION differs: {UM_ENV}:3 has {REGION}, {AUTH_ENV}:2 has eu-west-1; the "
        f"pool id {POOL_ID} is in {REGION}, so {AUTH_ENV}:2 is wrong"
    )
    assert found.fix == f"Set COGNITO_REGION={REGION} in {AUTH_ENV}."
    assert found.location == written.at(AUTH_ENV, "COGNITO_REGION")


def test_region_differing_is_located_at_the_wrong_line_even_in_the_first_file(
    tmp_path: Path, env_run: Callable[..., Report]
) -> None:
    # The issue's case: user-management is wrong, auth is right; the annotation goes on
    # user-management's line, whatever blank lines come before it.
    write_envs(tmp_path, um={"COGNITO_REGION": "us-east-1"})
    um_path = tmp_path / UM_ENV
    um_path.write_text("\n\n" + um_path.read_text())
    found = outcome(env_run(tmp_path), "env.region")
    assert found.status is Status.FAIL
    assert found.location == Location(UM_ENV, 5)
    assert found.evidence["locations"] == [f"{UM_ENV}:5"]
    assert f"so {UM_ENV}:5 is wrong" in found.message


def test_region_not_a_region_fails(tmp_path: Path, env_run: Callable[..., Report]) -> None:
    written = write_envs(
        tmp_path, um={"COGNITO_REGION": "london"}, auth={"COGNITO_REGION": "london"}
    )
    found = outcome(env_run(tmp_path), "env.region")
    assert found.status is Status.FAIL
    assert found.message == "COGNITO_REGION='london' is not an AWS region"
    assert f"COGNITO_REGION={REGION}" in found.fix
    assert found.location == written.at(UM_ENV, "COGNITO_REGION")


def test_region_not_the_pool_id_prefix_fails(
    tmp_path: Path, env_run: Callable[..., Report]
) -> None:
    written = write_envs(
        tmp_path, um={"COGNITO_REGION": "eu-west-1"}, auth={"COGNITO_REGION": "eu-west-1"}
    )
    found = outcome(env_run(tmp_path), "env.region")
    assert found.status is Status.FAIL
    assert found.message == (
        f"COGNITO_REGION=eu-west-1 (in {UM_ENV}:3 and {AUTH_ENV}:2) but the pool id {POOL_ID} "
        f"is in {REGION}"
    )
    assert found.fix == f"Set COGNITO_REGION={REGION} in {UM_ENV} and {AUTH_ENV}."
    assert found.location == written.at(UM_ENV, "COGNITO_REGION")


# --- env.issuer ------------------------------------------------------------------------


def test_issuer_exact_value_passes(tmp_path: Path, env_run: Callable[..., Report]) -> None:
    write_envs(tmp_path, auth={"COGNITO_ISSUER": ISSUER})
    found = outcome(env_run(tmp_path), "env.issuer")
    assert found.status is Status.PASS
    assert found.message == f"COGNITO_ISSUER={ISSUER} (the pool's ORIGINAL issuer)"


def test_issuer_updated_format_passes(tmp_path: Path, env_run: Callable[..., Report]) -> None:
    updated = ISSUER.replace("https://cognito-idp.", "https://issuer-cognito-idp.")
    write_envs(tmp_path, auth={"COGNITO_ISSUER": updated})
    found = outcome(env_run(tmp_path), "env.issuer")
    assert found.status is Status.PASS
    assert found.message == f"COGNITO_ISSUER={updated} (the pool's UPDATED issuer)"


def test_issuer_with_an_unexpanded_reference_fails_under_node(
    tmp_path: Path, env_run: Callable[..., Report]
) -> None:
    reference = "https://cognito-idp.${COGNITO_REGION}.amazonaws.com/${COGNITO_USER_POOL_ID}"
    written = write_envs(tmp_path, auth={"COGNITO_ISSUER": reference})
    found = outcome(env_run(tmp_path), "env.issuer")
    assert found.status is Status.FAIL
    assert "never expands" in found.message
    assert found.location == written.at(AUTH_ENV, "COGNITO_ISSUER")


def test_issuer_trailing_slash_fails_and_prints_the_exact_value(
    tmp_path: Path, env_run: Callable[..., Report]
) -> None:
    written = write_envs(tmp_path, auth={"COGNITO_ISSUER": ISSUER + "/"})
    found = outcome(env_run(tmp_path), "env.issuer")
    assert found.status is Status.FAIL
    assert "will reject every token: it has a trailing slash" in found.message
    assert f"set COGNITO_ISSUER={ISSUER} " in found.fix
    assert found.location == written.at(AUTH_ENV, "COGNITO_ISSUER") == Location(AUTH_ENV, 4)
    assert found.evidence["expected"] == ISSUER


@pytest.mark.parametrize(
    "issuer",
    [
        ISSUER.replace("https://", "http://"),
        f"https://cognito-idp.{REGION}.amazonaws.com/eu-west-2_Other999",
        f"https://cognito-idp.eu-west-1.amazonaws.com/{POOL_ID}",
    ],
)
def test_issuer_wrong_value_fails_saying_what_it_should_be(
    tmp_path: Path, env_run: Callable[..., Report], issuer: str
) -> None:
    written = write_envs(tmp_path, auth={"COGNITO_ISSUER": issuer})
    found = outcome(env_run(tmp_path), "env.issuer")
    assert found.status is Status.FAIL
    assert f"it should be {ISSUER}" in found.message
    assert f"COGNITO_ISSUER={ISSUER}" in found.fix
    assert found.location == written.at(AUTH_ENV, "COGNITO_ISSUER")


def test_issuer_set_without_a_usable_pool_id_skips(
    tmp_path: Path, env_run: Callable[..., Report]
) -> None:
    # The run's pool id is user-management's (auth's is only its fallback): neither is usable.
    write_envs(
        tmp_path,
        um={"COGNITO_USER_POOL_ID": "not-a-pool"},
        auth={"COGNITO_USER_POOL_ID": "not-a-pool", "COGNITO_ISSUER": ISSUER},
    )
    found = outcome(env_run(tmp_path), "env.issuer")
    assert found.status is Status.SKIP
    assert "see env.pool-id and env.region" in found.message


# --- env.app-client-id -----------------------------------------------------------------


def test_app_client_id_runbook_placeholder_fails(
    tmp_path: Path, env_run: Callable[..., Report]
) -> None:
    written = write_envs(tmp_path, auth={"COGNITO_APP_CLIENT_ID": "<app-client-id-from-step-1.9>"})
    found = outcome(env_run(tmp_path), "env.app-client-id")
    assert found.status is Status.FAIL
    assert found.message == "COGNITO_APP_CLIENT_ID='<app-client-id-from-step-1.9>' is a placeholder"
    assert "App integration → App clients" in found.fix
    assert found.location == written.at(AUTH_ENV, "COGNITO_APP_CLIENT_ID") == Location(AUTH_ENV, 3)


@pytest.mark.parametrize("client_id", ["4k2j9d8s-7f6g5h4j", "a" * 129, "4k2j 9d8s"])
def test_app_client_id_malformed_fails(
    tmp_path: Path, env_run: Callable[..., Report], client_id: str
) -> None:
    written = write_envs(tmp_path, auth={"COGNITO_APP_CLIENT_ID": client_id})
    found = outcome(env_run(tmp_path), "env.app-client-id")
    assert found.status is Status.FAIL
    assert "is not a client id" in found.message
    assert found.location == written.at(AUTH_ENV, "COGNITO_APP_CLIENT_ID")


def test_app_client_id_absent_warns(tmp_path: Path, env_run: Callable[..., Report]) -> None:
    write_envs(tmp_path, auth={"COGNITO_APP_CLIENT_ID": None})
    report = env_run(tmp_path)
    found = outcome(report, "env.app-client-id")
    assert found.status is Status.WARN
    assert "only the token-exchange grant needs it" in found.message
    assert "COGNITO_APP_CLIENT_ID" in found.fix and AUTH_ENV in found.fix
    assert found.location == Location(AUTH_ENV, None)
    assert report.ok  # a warning alone does not fail the run


def test_app_client_id_with_xxx_inside_is_not_a_placeholder(
    tmp_path: Path, env_run: Callable[..., Report]
) -> None:
    # Real client ids are random: three x's in a row happen.
    write_envs(tmp_path, auth={"COGNITO_APP_CLIENT_ID": "4k2j9dxxx7f6g5h4j3k2l1m0n9"})
    assert outcome(env_run(tmp_path), "env.app-client-id").status is Status.PASS


# --- env.aws-credentials ---------------------------------------------------------------


def test_credentials_dev_pass_shows_only_the_last_four(
    tmp_path: Path, env_run: Callable[..., Report]
) -> None:
    write_envs(tmp_path)
    found = outcome(env_run(tmp_path), "env.aws-credentials")
    assert found.status is Status.PASS
    assert found.message == "AWS keys set: long-term, key id …KP6D"
    assert KEY_ID not in json.dumps(dict(found.evidence)) + found.message


@pytest.mark.parametrize(
    ("missing", "words"),
    [
        (["AWS_SECRET_ACCESS_KEY"], "AWS_SECRET_ACCESS_KEY not set"),
        (["AWS_ACCESS_KEY_ID"], "AWS_ACCESS_KEY_ID not set"),
        (
            ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"],
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY not set",
        ),
    ],
)
def test_credentials_missing_fail(
    tmp_path: Path, env_run: Callable[..., Report], missing: list[str], words: str
) -> None:
    write_envs(tmp_path, um=dict.fromkeys(missing))
    found = outcome(env_run(tmp_path), "env.aws-credentials")
    assert found.status is Status.FAIL
    assert found.message == f"{words} in {UM_ENV}: every Cognito call will fail"
    assert "Create access key" in found.fix
    assert found.location == Location(UM_ENV, None)


@pytest.mark.parametrize(
    ("changes", "words", "first"),
    [
        ({"AWS_ACCESS_KEY_ID": "AKIA…"}, "AWS_ACCESS_KEY_ID is", "AWS_ACCESS_KEY_ID"),
        ({"AWS_SECRET_ACCESS_KEY": "…"}, "AWS_SECRET_ACCESS_KEY is", "AWS_SECRET_ACCESS_KEY"),
        (
            {"AWS_ACCESS_KEY_ID": "AKIA…", "AWS_SECRET_ACCESS_KEY": "…"},
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are",
            "AWS_ACCESS_KEY_ID",
        ),
        ({"AWS_ACCESS_KEY_ID": "AKIA..."}, "AWS_ACCESS_KEY_ID is", "AWS_ACCESS_KEY_ID"),
    ],
)
def test_credentials_runbook_placeholders_fail(
    tmp_path: Path,
    env_run: Callable[..., Report],
    changes: dict[str, str],
    words: str,
    first: str,
) -> None:
    written = write_envs(tmp_path, um=changes)
    found = outcome(env_run(tmp_path), "env.aws-credentials")
    assert found.status is Status.FAIL
    assert found.message == f"{words} still the runbook's placeholder"
    assert "Create access key" in found.fix
    assert found.location == written.at(UM_ENV, first)


def test_credentials_session_token_placeholder_fails_with_its_own_fix(
    tmp_path: Path, env_run: Callable[..., Report]
) -> None:
    written = write_envs(tmp_path, um={"AWS_SESSION_TOKEN": "…"})
    found = outcome(env_run(tmp_path), "env.aws-credentials")
    assert found.status is Status.FAIL
    assert found.message == "AWS_SESSION_TOKEN is still the runbook's placeholder"
    assert found.fix.startswith(f"Delete the AWS_SESSION_TOKEN line from {UM_ENV}")
    assert found.location == written.at(UM_ENV, "AWS_SESSION_TOKEN") == Location(UM_ENV, 6)


def test_credentials_key_id_without_a_known_prefix_fails(
    tmp_path: Path, env_run: Callable[..., Report]
) -> None:
    written = write_envs(tmp_path, um={"AWS_ACCESS_KEY_ID": "ABCDQ3JH5Z2M7XW4KP6D"})
    found = outcome(env_run(tmp_path), "env.aws-credentials")
    assert found.status is Status.FAIL
    assert found.message == (
        "AWS_ACCESS_KEY_ID (…KP6D) is not an access key id: they start with AKIA (long-term) "
        "or ASIA (temporary)"
    )
    assert found.location == written.at(UM_ENV, "AWS_ACCESS_KEY_ID")


def test_credentials_asia_key_without_session_token_fails(
    tmp_path: Path, env_run: Callable[..., Report]
) -> None:
    written = write_envs(tmp_path, um={"AWS_ACCESS_KEY_ID": "ASIAQ3JH5Z2M7XW4KP6D"})
    found = outcome(env_run(tmp_path), "env.aws-credentials")
    assert found.status is Status.FAIL
    assert "is a temporary key (ASIA…) but AWS_SESSION_TOKEN is not set" in found.message
    assert found.fix.startswith(f"Add the AWS_SESSION_TOKEN that came with these keys to {UM_ENV}")
    assert found.location == written.at(UM_ENV, "AWS_ACCESS_KEY_ID")


def test_credentials_asia_key_with_session_token_passes(
    tmp_path: Path, env_run: Callable[..., Report]
) -> None:
    write_envs(
        tmp_path, um={"AWS_ACCESS_KEY_ID": "ASIAQ3JH5Z2M7XW4KP6D", "AWS_SESSION_TOKEN": TOKEN}
    )
    found = outcome(env_run(tmp_path), "env.aws-credentials")
    assert found.status is Status.PASS
    assert found.message == "AWS keys set: temporary (with session token), key id …KP6D"


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"AWS_ACCESS_KEY_ID": KEY_ID[:-1]}, "the key id has 19 characters (AWS's have 20)"),
        ({"AWS_SECRET_ACCESS_KEY": SECRET + "Z"}, "the secret has 41 characters (AWS's have 40)"),
    ],
)
def test_credentials_odd_lengths_warn(
    tmp_path: Path, env_run: Callable[..., Report], changes: dict[str, str], words: str
) -> None:
    written = write_envs(tmp_path, um=changes)
    found = outcome(env_run(tmp_path), "env.aws-credentials")
    assert found.status is Status.WARN
    assert found.message == f"AWS keys look truncated or padded: {words}"
    assert "Copy both values again" in found.fix
    assert found.location == written.at(UM_ENV, "AWS_ACCESS_KEY_ID")
    assert (SECRET + "Z") not in found.message


def test_credentials_with_xxx_inside_are_not_placeholders(
    tmp_path: Path, env_run: Callable[..., Report]
) -> None:
    # Random key ids and secrets do contain "XXX" now and then.
    write_envs(
        tmp_path,
        um={
            "AWS_ACCESS_KEY_ID": "AKIAQ3JXXX2M7XW4KP6D",
            "AWS_SECRET_ACCESS_KEY": "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",
        },
    )
    assert outcome(env_run(tmp_path), "env.aws-credentials").status is Status.PASS


def test_credentials_in_prod_static_keys_fail_pointing_at_the_role(
    tmp_path: Path, env_run: Callable[..., Report]
) -> None:
    written = write_envs(tmp_path)
    dev = outcome(env_run(tmp_path), "env.aws-credentials")
    prod = outcome(env_run(tmp_path, rules=Rules.PROD), "env.aws-credentials")
    assert dev.status is Status.PASS
    assert prod.status is Status.FAIL
    assert prod.message == f"static AWS keys are set in {UM_ENV} for prod (key id …KP6D)"
    assert "execution role" in prod.fix
    assert prod.fix.startswith("Delete AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION")
    assert prod.location == written.at(UM_ENV, "AWS_ACCESS_KEY_ID")


def test_credentials_in_prod_a_lone_secret_still_fails(
    tmp_path: Path, env_run: Callable[..., Report]
) -> None:
    written = write_envs(tmp_path, um={"AWS_ACCESS_KEY_ID": None})
    found = outcome(env_run(tmp_path, rules=Rules.PROD), "env.aws-credentials")
    assert found.status is Status.FAIL
    assert found.message == f"static AWS keys are set in {UM_ENV} for prod"
    assert found.location == written.at(UM_ENV, "AWS_SECRET_ACCESS_KEY")


def test_credentials_in_prod_without_keys_pass_and_dev_fails(
    tmp_path: Path, env_run: Callable[..., Report]
) -> None:
    write_envs(tmp_path, um={"AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None})
    prod = outcome(env_run(tmp_path, rules=Rules.PROD), "env.aws-credentials")
    dev = outcome(env_run(tmp_path), "env.aws-credentials")
    assert prod.status is Status.PASS
    assert "execution role" in prod.message
    assert dev.status is Status.FAIL


def test_runbook_step_3_pasted_verbatim_fails_every_placeholder(
    tmp_path: Path, env_run: Callable[..., Report]
) -> None:
    """The runbook's .env blocks, copied as they are, with their comments."""
    um = tmp_path / UM_ENV
    um.parent.mkdir(parents=True)
    um.write_text(
        "COGNITO_PROVIDER=cognito\n"
        "COGNITO_USER_POOL_ID=eu-west-2_AbCdEf123\n"
        "COGNITO_REGION=eu-west-2\n"
        "# AWS SDK creds — picked up by the default AWS credential chain.\n"
        "AWS_ACCESS_KEY_ID=AKIA…\n"
        "AWS_SECRET_ACCESS_KEY=…\n"
        "# AWS_SESSION_TOKEN=… # only when using STS / SSO temporary creds\n",
        encoding="utf-8",
    )
    auth = tmp_path / AUTH_ENV
    auth.parent.mkdir(parents=True)
    auth.write_text(
        "COGNITO_USER_POOL_ID=eu-west-2_AbCdEf123\n"
        "COGNITO_REGION=eu-west-2\n"
        "COGNITO_APP_CLIENT_ID=<app-client-id-from-step-1.9>\n"
        "# Optional override; otherwise derived from pool id + region:\n"
        "# COGNITO_ISSUER=https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_AbCdEf123\n",
        encoding="utf-8",
    )
    report = env_run(tmp_path)
    assert outcome(report, "env.files").status is Status.PASS
    assert outcome(report, "env.provider").status is Status.PASS
    pool = outcome(report, "env.pool-id")
    assert pool.status is Status.FAIL and "runbook's example value" in pool.message
    assert pool.location == Location(UM_ENV, 2)
    client = outcome(report, "env.app-client-id")
    assert client.status is Status.FAIL and client.location == Location(AUTH_ENV, 3)
    creds = outcome(report, "env.aws-credentials")
    assert creds.status is Status.FAIL
    assert creds.message == (
        "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are still the runbook's placeholder"
    )
    assert creds.location == Location(UM_ENV, 5)
    assert outcome(report, "env.region").status is Status.PASS
    assert outcome(report, "env.issuer").status is Status.PASS
    assert not report.ok


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE"}, "AWS_ACCESS_KEY_ID is"),
        (
            {"AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"},
            "AWS_SECRET_ACCESS_KEY is",
        ),
    ],
)
def test_aws_documentation_example_keys_fail_naming_the_key(
    tmp_path: Path, overrides: dict[str, str], named: str
) -> None:
    um = {
        "COGNITO_PROVIDER": "cognito",
        "AWS_ACCESS_KEY_ID": "AKIA" + "Q" * 16,
        "AWS_SECRET_ACCESS_KEY": "s" * 40,
        **overrides,
    }
    write_env_file(tmp_path / "services/user-management/.env", um)
    write_env_file(tmp_path / "services/auth/.env", {"COGNITO_REGION": "eu-west-2"})
    report = run_checks(RunConfig(root=tmp_path, offline=True), load_registry(plugins=False))
    result = next(r for r in report.results if r.spec.id == "env.aws-credentials")
    assert result.status.value == "fail"
    assert result.outcome.message.startswith(named)
    assert "documentation example" in result.outcome.message
    key = named.split()[0]
    assert result.outcome.location is not None
    assert result.outcome.location.line == list(um).index(key) + 1
