"""Test support for the iam checks: helpers to run them and apply their printed fixes, and a
moto server, in its own process, that authenticates and authorizes requests and answers
iam:SimulatePrincipalPolicy.

The session sandbox (tests/conftest.py) runs moto with IAM authentication off: every caller
may do everything, so "the operator may not call iam:SimulatePrincipalPolicy" cannot happen
there. moto's authentication switch is process-wide, so the server that enforces IAM runs as
a subprocess (`python -m tests.support.moto_iam PORT`), with:

- the SimulatePrincipalPolicy handler the sandbox uses (cognito_doctor.demo.iam_simulation), so the
  simulation itself is answered, and denied to operators whose policies don't allow it;
- cognito-idp requests authorized against the pool's ARN. moto authorizes every cognito-idp
  call against Resource "*", so a policy scoped to one pool (the runbook's) would be denied
  everything; AWS authorizes them against `arn:aws:cognito-idp:REGION:ACCOUNT:userpool/ID`.

Setup runs with authentication off; :meth:`AuthMoto.enable_auth` then switches it on through
moto's own `/moto-api/reset-auth` endpoint (what moto's `set_initial_no_auth_action_count`
uses; the same INITIAL_NO_AUTH_ACTION_COUNT setting tests/integration/test_checks_creds.py
starts with).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3

from cognito_doctor.demo.sandbox import SANDBOX_OPERATOR_ENV, Sandbox, Setup
from cognito_doctor.engine.model import Report, Status
from tests.conftest import result_of
from tests.support.net import free_port

REPO_ROOT = Path(__file__).resolve().parents[2]

SIX = (
    "cognito-idp:AdminCreateUser",
    "cognito-idp:AdminDisableUser",
    "cognito-idp:AdminEnableUser",
    "cognito-idp:AdminDeleteUser",
    "cognito-idp:AdminResetUserPassword",
    "cognito-idp:AdminGetUser",
)


def iam_report(
    run_report: Callable[..., Report], root: Path, endpoint_url: str | None, **options: Any
) -> Report:
    return run_report(root, endpoint_url=endpoint_url, only=("iam.*",), **options)


def outcome(report: Report, check_id: str) -> Any:
    return result_of(report, check_id).outcome


def status(report: Report, check_id: str) -> Status:
    return result_of(report, check_id).status  # type: ignore[no-any-return]


def json_blocks(text: str) -> list[Any]:
    """Every pretty-printed JSON object in a fix text (lines from `{` to the matching `}`)."""
    blocks: list[Any] = []
    lines = text.splitlines()
    start: int | None = None
    for index, line in enumerate(lines):
        if start is None and line == "{":
            start = index
        elif start is not None and line == "}":
            blocks.append(json.loads("\n".join(lines[start : index + 1])))
            start = None
    return blocks


def _camel(option: str) -> str:
    return "".join(part.capitalize() for part in option.lstrip("-").split("-"))


def apply_aws_commands(iam: Any, command_line: str) -> list[str]:
    """Run `aws iam …` commands (joined by `&&`) with a boto3 IAM client; returns the
    operations run. Fails on anything that is not a well-formed `aws iam` command."""
    operations = []
    for command in command_line.split(" && "):
        args = shlex.split(command)
        assert args[:2] == ["aws", "iam"], command
        operation = args[2]
        params: dict[str, Any] = {}
        rest = args[3:]
        while rest:
            option = rest.pop(0)
            assert option.startswith("--"), command
            if rest and not rest[0].startswith("--"):
                params[_camel(option)] = rest.pop(0)
            else:
                params[_camel(option)] = True
        # The boto3 client already stands for the region and the run's target (the endpoint
        # it was made for, its credentials).
        for global_option in ("Region", "EndpointUrl", "Profile"):
            params.pop(global_option, None)
        if "PolicyDocument" in params:
            json.loads(params["PolicyDocument"])  # valid JSON as printed
        getattr(iam, re.sub("-", "_", operation))(**params)
        operations.append(operation)
    return operations


# --- the IAM-enforcing moto server -------------------------------------------------------


def _pool_resource(self: Any) -> str:
    """moto hook: the resource a cognito-idp request is authorized against."""
    try:
        pool_id = json.loads(self.body or "{}").get("UserPoolId")
    except ValueError:
        pool_id = None
    if not pool_id:
        return "*"
    return f"arn:aws:cognito-idp:{self.region}:{self.current_account}:userpool/{pool_id}"


def serve(port: int) -> None:
    """Run moto's server on 127.0.0.1:`port` with the two extensions (blocks)."""
    from moto.cognitoidp.responses import CognitoIdpResponse
    from moto.server import main as moto_main

    from cognito_doctor.demo.iam_simulation import install

    install()
    CognitoIdpResponse._determine_resource = _pool_resource
    moto_main(["-H", "127.0.0.1", "-p", str(port)])


class AuthMoto:
    """A running IAM-enforcing moto server and clients for its setup."""

    def __init__(self, endpoint_url: str) -> None:
        self.endpoint_url = endpoint_url

    def client(self, service: str, key_id: str | None = None, secret: str | None = None) -> Any:
        return boto3.client(
            service,
            region_name="eu-west-2",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=key_id or SANDBOX_OPERATOR_ENV["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=secret or SANDBOX_OPERATOR_ENV["AWS_SECRET_ACCESS_KEY"],
        )

    def enable_auth(self) -> None:
        """From now on every request is authenticated and authorized."""
        request = urllib.request.Request(
            f"{self.endpoint_url}/moto-api/reset-auth",
            data=b"0",
            method="POST",
            # Not form-encoded (urllib's default), or the server reads an empty body.
            headers={"Content-Type": "text/plain"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert json.load(response)["status"] == "ok"


@contextmanager
def running_auth_moto(log: Path) -> Iterator[AuthMoto]:
    """Start the server as a subprocess (authentication off until `enable_auth`)."""
    port = free_port()
    with _serving(log, port, [sys.executable, "-m", "tests.support.moto_iam", str(port)]) as moto:
        yield moto


@contextmanager
def running_plain_moto(log: Path) -> Iterator[AuthMoto]:
    """moto's own `moto_server` as the README suggests for trying the doctor: no
    SimulatePrincipalPolicy, no authentication."""
    port = free_port()
    command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    with _serving(log, port, command) as moto:
        yield moto


@contextmanager
def _serving(log: Path, port: int, command: list[str]) -> Iterator[AuthMoto]:
    """Run `command` (a server on `port`) as a subprocess until the block ends."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"moto server exited: {log.read_text(errors='replace')}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"moto server did not listen: {log.read_text(errors='replace')}"
                    ) from None
                time.sleep(0.1)
        yield AuthMoto(f"http://127.0.0.1:{port}")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


if __name__ == "__main__":
    serve(int(sys.argv[1]))


def service_caller(sandbox: Sandbox, setup: Setup) -> dict[str, Any]:
    """What sts:GetCallerIdentity says of the setup's service keys (those in UM's .env)."""
    import boto3

    sts = boto3.client(
        "sts",
        region_name=setup.region,
        endpoint_url=sandbox.endpoint_url,
        aws_access_key_id=setup.um_env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=setup.um_env["AWS_SECRET_ACCESS_KEY"],
    )
    answer: dict[str, Any] = sts.get_caller_identity()
    return answer
