"""The on-call commands: `triage`, `token` and `user`.

cognito_doctor.cli attaches them to the main group. Like the rest of the command line they
only parse options and print; the work is in cognito_doctor/oncall/ (triage.py, tokens.py and
users.py), the text in cognito_doctor/output/oncall.py. Exit codes:
0 nothing wrong found (or a diagnosis given), 1 a problem confirmed (a cause confirmed, a
token services/auth would reject, a user in a broken state or one that could not be looked
up), 2 usage error (bad options, unreadable or binary input, a malformed token).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from cognito_doctor import __version__
from cognito_doctor.cli.common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    environment_names,
    fail_usage,
    load_checks,
    load_file_config,
)
from cognito_doctor.cli.params import (
    bounded as _bounded,
)
from cognito_doctor.cli.params import (
    endpoint_option as _endpoint_option,
)
from cognito_doctor.cli.params import (
    format_option as _format_option,
)
from cognito_doctor.cli.params import (
    profile_option as _profile_option,
)
from cognito_doctor.cli.params import (
    region_option as _region_option,
)
from cognito_doctor.cli.params import (
    root_option as _root_option,
)
from cognito_doctor.cli.params import (
    timeout_option as _timeout_option,
)
from cognito_doctor.engine.registry import Registry
from cognito_doctor.output.oncall import render_token, render_triage, render_user
from cognito_doctor.output.terminal import to_ascii, unicode_ok
from cognito_doctor.platform.settings import RunConfig

MAX_STDIN_BYTES = 5_000_000

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

_EPILOG = """\b
Exit codes: 0 nothing wrong found (or a diagnosis given); 1 a problem
confirmed; 2 usage error (bad options or input); 3 AWS gave no answer within --timeout."""


def _emit(text: str) -> None:
    if not unicode_ok(sys.stdout):
        text = to_ascii(text)
    click.echo(text)


def _env_option(function: F) -> F:
    return click.option(
        "--env",
        "environment",
        metavar="NAME",
        help="Which environment: dev (default) or prod, or one the config file "
        "(cognito-doctor.toml) names, whose .env paths and rules apply (as with `check`).",
    )(function)


def _with_config_file(config: RunConfig, environment: str | None, registry: Registry) -> RunConfig:
    """`config` with the config file's settings (its .env paths, expectations) for
    `environment`, as `check` applies them."""
    from cognito_doctor.platform.configfile import run_config_for

    file_config = load_file_config(None, config.root, registry)
    (name,) = environment_names(file_config, [environment] if environment else [])
    return run_config_for(config, file_config, name)


def _read_stdin(what: str) -> bytes:
    stream = getattr(sys.stdin, "buffer", None)
    data: bytes = stream.read(MAX_STDIN_BYTES + 1) if stream is not None else b""
    if len(data) > MAX_STDIN_BYTES:
        data = data[-MAX_STDIN_BYTES:]
    if not data.strip():
        fail_usage(f"standard input is empty: pipe {what} into it")
    return data


def _json(payload: dict[str, Any]) -> None:
    document = {"schema_version": 1, "tool": {"name": "cognito-doctor", "version": __version__}}
    document.update(payload)
    click.echo(json.dumps(document, indent=2, ensure_ascii=False, default=str))


# --- triage ------------------------------------------------------------------------------


@click.command(epilog=_EPILOG)
@click.argument("text", nargs=-1)
@click.option(
    "--log",
    "log_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read a log file (its last 5 MB) instead of TEXT.",
)
@_root_option
@click.option(
    "--env",
    "environment",
    metavar="NAME",
    help="Which environment's rules the confirming checks apply: dev (default) or prod, or "
    "one the config file (cognito-doctor.toml) names.",
)
@_profile_option
@_region_option
@_endpoint_option
@click.option(
    "--offline", is_flag=True, help="Give the diagnosis from the text alone; run no check."
)
@_format_option
@_timeout_option
def triage(
    text: tuple[str, ...],
    log_file: Path | None,
    root: Path,
    environment: str | None,
    profile: str | None,
    region: str | None,
    endpoint_url: str | None,
    offline: bool,
    output_format: str,
    timeout: float,
) -> None:
    """Name the cause of an error message, a log excerpt or a symptom, and check it.

    TEXT is what you have in hand ("promote returns 500 with AccessDeniedException", an
    exception name, a log line); `-` reads it from standard input, --log from a file. Every
    known failure it matches is named with its cause and fix, and the checks that confirm or
    rule it out are run against the pool (read-only). Email addresses in the text are looked
    up as users where the cause is about one user.
    """
    from cognito_doctor.oncall.triage import TriageInputError, read_text
    from cognito_doctor.oncall.triage import triage as run_triage

    words = " ".join(text).strip()
    if log_file is not None and words:
        fail_usage("give TEXT or --log FILE, not both")
    if log_file is not None:
        from cognito_doctor.platform.files import read_capped

        raw = read_capped(log_file, "the file", MAX_STDIN_BYTES, tail=True)
        if isinstance(raw, str):
            fail_usage(f"cannot read --log {log_file}: {raw}")
        data = raw
        source = f"--log {log_file}"
    elif words == "-":
        data = _read_stdin("the error message or log")
        source = "standard input"
    elif words:
        data = words.encode("utf-8")
        source = "TEXT"
    else:
        fail_usage(
            "give TEXT (an error message, an exception name or a symptom), `-` for standard "
            "input, or --log FILE"
        )
    try:
        body = read_text(data, source)
    except TriageInputError as exc:
        fail_usage(str(exc))
    registry = load_checks(plugins=False)
    config = _with_config_file(
        RunConfig(
            root=root.resolve(),
            profile=profile,
            region=region,
            endpoint_url=endpoint_url or None,
            offline=offline,
        ),
        environment,
        registry,
    )
    result = _bounded(timeout, "triage", lambda: run_triage(body, config, registry))
    if output_format == "json":
        from cognito_doctor.oncall.triage_report import result_dict

        payload = result_dict(result)
        payload["input"] = {"source": source, "characters": len(body)}
        _json(payload)
    else:
        _emit(render_triage(result, source, len(body)))
    sys.exit(EXIT_PROBLEMS if result.problem_found else EXIT_OK)


# --- token -------------------------------------------------------------------------------


@click.command(epilog=_EPILOG)
@click.argument("jwt", metavar="JWT")
@_root_option
@_env_option
@_region_option
@_endpoint_option
@click.option(
    "--offline", is_flag=True, help="Do not fetch the pool's signing keys (signature unverified)."
)
@click.option(
    "--use",
    "expected_use",
    type=click.Choice(["id", "access"]),
    help="The kind of token services/auth verifies here (default: either).",
)
@click.option(
    "--skew",
    type=click.IntRange(0, 3600),
    default=0,
    show_default=True,
    help="Seconds of clock skew allowed for exp and nbf (aws-jwt-verify's graceSeconds, "
    "0 unless services/auth sets it).",
)
@_format_option
@_timeout_option
def token(
    jwt: str,
    root: Path,
    environment: str | None,
    region: str | None,
    endpoint_url: str | None,
    offline: bool,
    expected_use: str | None,
    skew: int,
    output_format: str,
    timeout: float,
) -> None:
    """Say whether services/auth would accept a Cognito token, and exactly why not.

    JWT is an ID or access token; pass `-` and paste it on standard input to keep it out of
    your shell history. Checks the RS256 signature against the pool's key set (the token's
    kid must be in it), iss against the issuer services/auth expects, token_use, aud (ID
    token) or client_id (access token) against COGNITO_APP_CLIENT_ID, and exp and nbf
    against this machine's clock, as aws-jwt-verify does (both issuer formats of the pool; an
    iat in the future is a clock warning). The token itself is never printed, only its claims.
    """
    from cognito_doctor.facts.context import CheckContext
    from cognito_doctor.facts.discovery import discovery
    from cognito_doctor.facts.env import env_files
    from cognito_doctor.oncall.tokens import (
        MAX_TOKEN_CHARACTERS,
        TokenInputError,
        decode,
        expectation_from_env,
        verify,
    )
    from cognito_doctor.platform.target import PoolRef

    if jwt == "-":
        stream = getattr(sys.stdin, "buffer", None)
        data: bytes = stream.read(MAX_TOKEN_CHARACTERS + 1) if stream is not None else b""
        if len(data) > MAX_TOKEN_CHARACTERS:
            fail_usage(
                f"standard input is over {MAX_TOKEN_CHARACTERS} bytes, the most the doctor reads "
                "as a token: a Cognito token is a few kB"
            )
        if not data.strip():
            fail_usage("standard input is empty: pipe the token into it")
        raw = data.decode("utf-8", errors="replace")
        if "\x00" in raw or "\ufffd" in raw:
            fail_usage("standard input is not a token (it is not text)")
    else:
        raw = jwt
    from cognito_doctor.engine.redact import remember

    remember(raw.strip())  # the token under examination is a credential: never printed
    try:
        decoded = decode(raw)
    except TokenInputError as exc:
        fail_usage(str(exc))
    config = _with_config_file(
        RunConfig(
            root=root.resolve(), region=region, endpoint_url=endpoint_url or None, offline=offline
        ),
        environment,
        load_checks(plugins=False),
    )
    ctx = CheckContext(config)
    files = env_files(config)
    expected = expectation_from_env(files.auth, region)
    jwks: dict[str, Any] | None = None
    problem: str | None
    if offline:
        problem = "--offline: the pool's key set was not fetched"
    elif expected.pool_id and expected.region:
        ref = PoolRef(expected.pool_id, expected.region, None)
        found = _bounded(timeout, "token", lambda: discovery(ctx, ref))
        jwks = found.jwks
        problem = found.problem or found.jwks_problem
    else:
        problem = (
            f"{files.auth.label} names no COGNITO_USER_POOL_ID and COGNITO_REGION, so the pool's "
            "key set could not be fetched"
        )
    verdict = verify(
        decoded, expected, jwks=jwks, jwks_problem=problem, skew=skew, expected_use=expected_use
    )
    if output_format == "json":
        from cognito_doctor.oncall.tokens import verdict_dict

        payload = verdict_dict(verdict)
        payload["expected"] = {
            "issuer": expected.issuer,
            "issuer_source": expected.issuer_source,
            "client_id": expected.client_id,
            "client_source": expected.client_source,
        }
        _json(payload)
    else:
        _emit(render_token(verdict))
    sys.exit(EXIT_PROBLEMS if verdict.rejected else EXIT_OK)


# --- user --------------------------------------------------------------------------------


@click.command(epilog=_EPILOG)
@click.argument("email")
@_root_option
@_env_option
@_profile_option
@_region_option
@_endpoint_option
@_format_option
@_timeout_option
def user(
    email: str,
    root: Path,
    environment: str | None,
    profile: str | None,
    region: str | None,
    endpoint_url: str | None,
    output_format: str,
    timeout: float,
) -> None:
    """Show a user's state in the pool and the fix for it (read-only).

    Looks EMAIL up in the pool the .env files name (AdminGetUser, else ListUsers by email):
    whether the user exists, is enabled, their UserStatus (e.g. FORCE_CHANGE_PASSWORD),
    whether their email is verified, when they were created, and whether the invitation's
    temporary password has expired given the pool's TemporaryPasswordValidityDays.
    """
    from cognito_doctor.oncall.users import PROBLEM, UserInputError, lookup_user, validate_email

    try:
        address = validate_email(email)
    except UserInputError as exc:
        fail_usage(str(exc))
    registry = load_checks(plugins=False)
    config = _with_config_file(
        RunConfig(
            root=root.resolve(), profile=profile, region=region, endpoint_url=endpoint_url or None
        ),
        environment,
        registry,
    )
    report = _bounded(timeout, "user", lambda: lookup_user(config, registry, address))
    if output_format == "json":
        from cognito_doctor.oncall.users import report_dict

        _json(report_dict(report))
    else:
        _emit(render_user(report))
    sys.exit(EXIT_PROBLEMS if report.level == PROBLEM else EXIT_OK)


__all__ = ["token", "triage", "user"]
