"""Fuzzing with hypothesis: whatever the `.env` files and the config file contain (binary, NUL
bytes, invalid UTF-8, UTF-16, huge lines, unicode keys, unterminated quotes, odd line breaks,
TOML of any shape), cognito-doctor never shows a traceback, every env check reports a result
that names what it found (none "crashed"), and every report format renders it. Example counts
are kept modest so the suite stays fast."""

from __future__ import annotations

import json
import tempfile
import tomllib
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cognito_doctor.cli import main
from cognito_doctor.engine.model import Report, Rules, Status
from cognito_doctor.engine.registry import Registry
from cognito_doctor.facts.context import run_checks
from cognito_doctor.output import OutputFormat, RenderOptions, render
from cognito_doctor.platform.envfiles import AUTH_ENV, UM_ENV, EnvReader
from cognito_doctor.platform.settings import RunConfig

# No example database: nothing is written into the repository (.hypothesis/).
FUZZ = settings(
    max_examples=60,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
KEYS = [
    "COGNITO_PROVIDER",
    "COGNITO_USER_POOL_ID",
    "COGNITO_REGION",
    "COGNITO_ISSUER",
    "COGNITO_APP_CLIENT_ID",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
]
VALUES = [
    "cognito",
    "mock",
    "eu-west-2",
    "eu-west-2_AbCdEf123",
    "https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_AbCdEf123/",
    "<app-client-id-from-step-1.9>",
    "AKIA…",
    "AKIAZ7EXAMPLE3QX4W2M",
    "ASIAZ7EXAMPLE3QX4W2M",
    "…",
]

keys = st.one_of(
    st.sampled_from(KEYS),
    st.text(min_size=1, max_size=20),  # unicode keys, spaces, '=', '#', quotes …
    st.from_regex(r"[A-Za-z_][A-Za-z0-9_.-]{0,15}", fullmatch=True),
)
values = st.one_of(st.sampled_from(VALUES), st.text(max_size=60))
quotes = st.sampled_from(["", "'", '"', "`"])


@st.composite
def assignment(draw: Any) -> str:
    quote = draw(quotes)
    closed = draw(st.booleans())  # False: an unterminated quote
    prefix = draw(st.sampled_from(["", "export ", "  ", "\t"]))
    separator = draw(st.sampled_from(["=", " = ", "=", ": ", ""]))
    comment = draw(st.sampled_from(["", " # a comment", "#", " #"]))
    value = draw(values)
    return f"{prefix}{draw(keys)}{separator}{quote}{value}{quote if closed else ''}{comment}"


lines = st.one_of(
    assignment(),
    st.sampled_from(["", "# comment", "   ", "export", "=", "==", "'", '"', "\\", "KEY"]),
    st.text(max_size=80),
)


@st.composite
def env_bytes(draw: Any) -> bytes:
    """The bytes of a `.env` file, from plausible to hostile."""
    kind = draw(st.sampled_from(["lines", "lines", "lines", "binary", "huge"]))
    if kind == "binary":
        return bytes(draw(st.binary(max_size=600)))
    text = draw(st.sampled_from(["\n", "\r\n", "\r"])).join(draw(st.lists(lines, max_size=25)))
    if kind == "huge":
        text += "\nHUGE=" + "A" * draw(st.integers(min_value=10_000, max_value=1_100_000))
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "utf-16", "latin-1"]))
    data = text.encode(encoding, errors="replace")
    if draw(st.booleans()):  # NUL bytes and invalid UTF-8 spliced in somewhere
        at = draw(st.integers(min_value=0, max_value=len(data)))
        data = (
            data[:at] + draw(st.sampled_from([b"\x00", b"\xff\xfe", b"\xc3(", b"\x80"])) + data[at:]
        )
    return data


def env_results(report: Report) -> dict[str, Any]:
    return {r.spec.id: r for r in report.results if r.spec.group == "env"}


def assert_every_env_check_answers(report: Report, registry: Registry) -> None:
    env_ids = {spec.id for spec in registry.checks.values() if spec.group == "env"}
    results = env_results(report)
    assert set(results) == env_ids
    for result in results.values():
        assert result.status in Status
        assert result.outcome.message.strip(), result.spec.id
        assert "crashed" not in result.outcome.message, result.outcome.message
        assert "could not produce fact" not in result.outcome.message, result.outcome.message


@FUZZ
@given(
    um=st.one_of(st.none(), env_bytes()),
    auth=st.one_of(st.none(), env_bytes()),
    environment=st.sampled_from(Rules),
    reader=st.sampled_from(EnvReader),
)
def test_any_env_files_give_a_result_for_every_env_check(
    registry: Registry,
    um: bytes | None,
    auth: bytes | None,
    environment: Rules,
    reader: EnvReader,
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for label, data in ((UM_ENV, um), (AUTH_ENV, auth)):
            if data is not None:
                (root / label).parent.mkdir(parents=True, exist_ok=True)
                (root / label).write_bytes(data)
        report = run_checks(
            RunConfig(root=root, offline=True, rules=environment, env_reader=reader),
            registry,
        )
    assert_every_env_check_answers(report, registry)
    # Network checks are skipped, never run: --offline reaches nothing.
    for result in report.results:
        if result.spec.group != "env" and result.spec.id != "iam.policy-file":
            assert result.status is Status.SKIP
    for output_format in OutputFormat:
        for unicode in (True, False):
            text = render([report], output_format, RenderOptions(True, False, unicode, 80))
            assert isinstance(text, str) and text


@settings(
    max_examples=20, database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(um=env_bytes(), auth=env_bytes(), fmt=st.sampled_from([f.value for f in OutputFormat]))
def test_any_env_files_through_the_command_line(um: bytes, auth: bytes, fmt: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for label, data in ((UM_ENV, um), (AUTH_ENV, auth)):
            (root / label).parent.mkdir(parents=True, exist_ok=True)
            (root / label).write_bytes(data)
        result = CliRunner().invoke(
            main, ["check", "--root", str(root), "--offline", "--format", fmt, "-v"]
        )
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code in (0, 1), result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout


# --- config files --------------------------------------------------------------------------

toml_keys = st.one_of(
    st.sampled_from(
        [
            "default_environment",
            "environments",
            "paths",
            "checks",
            "ignore",
            "rules",
            "region",
            "app_client_name",
            "principal_arn",
            "password_min_length",
            "email_sending",
            "enabled",
            "severity",
            "reason",
            "check",
            "user_management",
            "auth",
            "env.provider",
            "dev",
            "prod",
            "staging",
        ]
    ),
    st.from_regex(r"[a-z][a-z0-9_-]{0,8}", fullmatch=True),
)
toml_scalars = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False),
    st.text(max_size=30),
    st.sampled_from(["dev", "prod", "error", "warning", "info", "eu-west-2", "env.provider"]),
)
toml_values = st.recursive(
    toml_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(toml_keys, children, max_size=4)
    ),
    max_leaves=12,
)


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if not isinstance(value, float) or value == value else "nan"
    if isinstance(value, str):
        return '"' + value.encode("unicode_escape").decode("ascii").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f'"{k}" = {toml_value(v)}' for k, v in value.items()) + "}"


ENV_IDS = ["env.files", "env.provider", "env.pool-id", "env.region", "env.issuer"]
PATHS = [UM_ENV, AUTH_ENV, "", ".", "..", "/", "services", "missing/.env", "cognito-doctor.toml"]


@st.composite
def plausible_config(draw: Any) -> dict[str, Any]:
    """Configs shaped like the schema's, with odd values: most are valid."""
    paths = st.dictionaries(st.sampled_from(["user_management", "auth"]), st.sampled_from(PATHS))
    environment = st.fixed_dictionaries(
        {},
        optional={
            "rules": st.sampled_from(["dev", "prod", "qa"]),
            "paths": paths,
            "region": st.sampled_from(["eu-west-2", "us-east-1", "mars-1", "EU-WEST-2"]),
            "password_min_length": st.integers(min_value=0, max_value=120),
            "email_sending": st.sampled_from(["COGNITO_DEFAULT", "DEVELOPER", "SES"]),
            "app_client_name": st.text(max_size=12),
        },
    )
    names = st.sampled_from(["dev", "prod", "staging", "qa", "prod-eu", "x y"])
    data: dict[str, Any] = draw(
        st.fixed_dictionaries(
            {},
            optional={
                "default_environment": names,
                "paths": paths,
                "environments": st.dictionaries(names, environment, max_size=3),
                "checks": st.dictionaries(
                    st.sampled_from([*ENV_IDS, "pool.mfa", "no.such-check"]),
                    st.fixed_dictionaries(
                        {},
                        optional={
                            "enabled": st.booleans(),
                            "severity": st.sampled_from(["error", "warning", "info", "fatal"]),
                        },
                    ),
                    max_size=3,
                ),
                "ignore": st.lists(
                    st.fixed_dictionaries(
                        {"check": st.sampled_from([*ENV_IDS, "nope"])},
                        optional={"reason": st.text(max_size=20), "environments": st.lists(names)},
                    ),
                    max_size=2,
                ),
            },
        )
    )
    return data


@st.composite
def config_text(draw: Any) -> str:
    kind = draw(st.sampled_from(["plausible", "plausible", "structured", "text"]))
    if kind == "text":
        return str(draw(st.text(max_size=300)))
    data = draw(
        plausible_config()
        if kind == "plausible"
        else st.dictionaries(toml_keys, toml_values, max_size=6)
    )
    return "\n".join(f'"{key}" = {toml_value(value)}' for key, value in data.items()) + "\n"


@settings(
    max_examples=60, database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(config=config_text(), all_envs=st.booleans())
def test_any_config_file_is_a_clear_error_or_a_full_run(
    registry: Registry, config: str, all_envs: bool
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for label in (UM_ENV, AUTH_ENV):
            (root / label).parent.mkdir(parents=True, exist_ok=True)
            (root / label).write_text(
                "COGNITO_PROVIDER=cognito\nCOGNITO_USER_POOL_ID=eu-west-2_Q7wErTy12\n"
                "COGNITO_REGION=eu-west-2\n",
                encoding="utf-8",
            )
        (root / "cognito-doctor.toml").write_text(config, encoding="utf-8")
        args = ["check", "--root", str(root), "--offline", "--format", "json"]
        result = CliRunner().invoke(main, args + (["--all-envs"] if all_envs else []))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.stdout + result.stderr
    if result.exit_code == 2:
        # A configuration error: one line naming the file, then each mistake with its key path.
        assert result.stderr.startswith("cognito-doctor: error: ")
        assert "cognito-doctor.toml" in result.stderr
        # --format json: the same error as JSON on standard output, and nothing else.
        error = json.loads(result.stdout)
        assert error["exit_code"] == 2 and "cognito-doctor.toml" in error["error"]["message"]
        return
    assert result.exit_code in (0, 1), result.stderr
    # A valid config: every env check it does not disable reports a result, in every
    # environment the run covers.
    checks = tomllib.loads(config).get("checks", {})
    disabled = {check for check, table in checks.items() if table.get("enabled") is False}
    env_ids = {spec.id for spec in registry.checks.values() if spec.group == "env"} - disabled
    data = json.loads(result.stdout)
    for report in data.get("environments", [data]):
        results = {r["id"]: r for r in report["results"]}
        assert env_ids <= set(results)
        for check_id in env_ids:
            assert results[check_id]["status"] in {s.value for s in Status}
            assert results[check_id]["message"], check_id
            assert "crashed" not in results[check_id]["message"]


_JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**400)
    | st.floats()
    | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)


def _segment(value: Any) -> str:
    import base64
    import json

    text = json.dumps(value, allow_nan=True)  # NaN and Infinity too: not JSON, still sent
    return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()


@FUZZ
@given(
    header=st.dictionaries(st.sampled_from(["alg", "kid", "crit", "typ", "x"]), _JSON_VALUES),
    claims=st.dictionaries(
        st.sampled_from(["iss", "exp", "nbf", "iat", "aud", "client_id", "token_use", "sub"]),
        _JSON_VALUES,
    ),
    wrapper=st.sampled_from(["{}", "Bearer {}", ' "{}" ', "{}\n", "'Bearer {}'"]),
)
def test_any_token_gives_a_verdict_or_a_clear_input_error(
    header: dict[str, Any], claims: dict[str, Any], wrapper: str
) -> None:
    from cognito_doctor.oncall.token_claims import Expectation
    from cognito_doctor.oncall.tokens import TokenInputError, decode, verdict_dict, verify

    raw = wrapper.format(f"{_segment(header)}.{_segment(claims)}.c2ln")
    try:
        token = decode(raw)
    except TokenInputError as exc:
        assert str(exc)
        return
    expected = Expectation("https://x", "test", "c", "test", issuers=("https://x",))
    verdict = verify(token, expected, jwks={"keys": [{"kid": header.get("kid"), "kty": "RSA"}]})
    assert verdict.summary
    assert not verdict.verified or not verdict.rejected
    verdict_dict(verdict)
