"""No secret ever leaves cognito-doctor: known secret values are seeded into the fixtures (the
service's AWS secret key and session token in services/user-management/.env, the operator's
secret key and session token in the environment, the app client's ClientSecret in moto, a
token for `token`), then every command `cognito-doctor --help` lists is run in every format it
has, with -v, against a healthy and a broken setup, against AWS errors, an endpoint where
nothing listens, and `triage --log` of a log that contains the secrets. None of them, nor any
12-character piece of one, may appear on stdout, on stderr or in any file the run writes. An
access key id may appear only as its last four characters."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cognito_doctor.cli import main
from cognito_doctor.demo.sandbox import Sandbox, Setup
from cognito_doctor.platform.envfiles import UM_ENV
from tests.support.net import Fault, dead_endpoint
from tests.support.netkit import Net, middleware_sandbox

# Seeded secrets: random-looking, so that no piece of one is ordinary text.
SERVICE_SECRET = "kS9Qw2Lr7Tz4Xv1Nb6Hm3Jd8Fp5Gc0Ys2Ue7Ai4"
SERVICE_TOKEN = "IQoJb3JpZ2luX2VjEPv9Lq2Wz7Rt4Yk1Mx8Nc5Bd3Gh6Jf0Ts9Ua2Oe7Ip4Ql1Kr8Zm5Xn3Cv6By0Hw"
OPERATOR_SECRET = "Vb4Nm7Qx2Wz9Lk5Jh8Gf3Ds6Ap1Oi0Ue4Yt7Rr2E"
OPERATOR_TOKEN = "FwoGZXIvYXdzEHg2Vb8Nn4Mq7Xz1Lp5Kd9Jr3Hs6Gt0Fy2Dw8Sa4Qe7Wo1Ri5Tu3Yp9Ik6Ol2Mj8Nb0Vc"
PASSWORD = "Corr3ct-Horse-Battery!"
FORMATS = ("table", "json", "junit", "sarif", "github", "markdown")
PIECE = 12


@dataclass
class Secrets:
    """Everything that must never be printed, and the key ids that may show 4 characters."""

    values: set[str] = field(default_factory=set)
    key_ids: set[str] = field(default_factory=set)

    def leaks(self, text: str) -> list[str]:
        found = []
        for secret in self.values:
            pieces = {secret[i : i + PIECE] for i in range(max(1, len(secret) - PIECE + 1))}
            if any(piece in text for piece in pieces):
                found.append(f"secret {secret[:3]}…")
        for key_id in self.key_ids:
            if key_id[:-4] in text:
                found.append(f"key id …{key_id[-4:]} beyond its last 4 characters")
        return found


@dataclass
class World:
    healthy: Setup
    broken: Setup
    secrets: Secrets
    id_token: str
    access_token: str


def mint(sandbox: Sandbox, setup: Setup, email: str, secret: str) -> dict[str, str]:
    idp = sandbox.client("cognito-idp")
    idp.admin_create_user(
        UserPoolId=setup.pool_id,
        Username=email,
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "name", "Value": "A"}],
        MessageAction="SUPPRESS",
    )
    idp.admin_set_user_password(
        UserPoolId=setup.pool_id, Username=email, Password=PASSWORD, Permanent=True
    )
    digest = hmac.new(secret.encode(), (email + setup.client_id).encode(), hashlib.sha256)
    result = idp.admin_initiate_auth(
        UserPoolId=setup.pool_id,
        ClientId=setup.client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={
            "USERNAME": email,
            "PASSWORD": PASSWORD,
            "SECRET_HASH": base64.b64encode(digest.digest()).decode(),
        },
    )["AuthenticationResult"]
    return {"id": result["IdToken"], "access": result["AccessToken"]}


def client_secret(sandbox: Sandbox, setup: Setup) -> str | None:
    client = sandbox.client("cognito-idp").describe_user_pool_client(
        UserPoolId=setup.pool_id, ClientId=setup.client_id
    )["UserPoolClient"]
    return client.get("ClientSecret")


@pytest.fixture(scope="module")
def world(sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> World:
    root = tmp_path_factory.mktemp("no-leak")
    seeded = {"AWS_SECRET_ACCESS_KEY": SERVICE_SECRET, "AWS_SESSION_TOKEN": SERVICE_TOKEN}
    healthy = sandbox.create_setup(root / "healthy", um_changes=seeded)
    broken = sandbox.create_broken_setup(root / "broken")
    # The broken setup keeps its own (moto-made) secret: that one must not leak either.
    secrets = Secrets(
        {SERVICE_SECRET, SERVICE_TOKEN, OPERATOR_SECRET, OPERATOR_TOKEN, PASSWORD},
        {healthy.um_env["AWS_ACCESS_KEY_ID"], broken.um_env["AWS_ACCESS_KEY_ID"]},
    )
    secrets.values.add(broken.um_env["AWS_SECRET_ACCESS_KEY"])
    secret = client_secret(sandbox, healthy)
    assert secret
    secrets.values.add(secret)
    tokens = mint(sandbox, healthy, "leak@clinic.test", secret)
    for token in tokens.values():
        secrets.values.add(token.split(".")[2])  # the signature: the token is a credential
    # The detector sees what it must: the seeded values are where cognito-doctor reads them.
    env_text = (healthy.root / UM_ENV).read_text()
    found = secrets.leaks(env_text)
    assert {f"secret {SERVICE_SECRET[:3]}…", f"secret {SERVICE_TOKEN[:3]}…"} <= set(found)
    assert any(item.startswith("key id") for item in found)
    return World(healthy, broken, secrets, tokens["id"], tokens["access"])


@pytest.fixture
def operator_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    """The operator's credentials, seeded (moto accepts any)."""
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", OPERATOR_SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", OPERATOR_TOKEN)


@pytest.fixture
def net(sandbox: Sandbox) -> Iterator[Net]:
    with middleware_sandbox() as started:
        yield started


class Runs:
    """Runs commands in-process and checks every output and written file for secrets."""

    def __init__(self, secrets: Secrets, out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.secrets = secrets
        self.out = out
        self.commands: set[str] = set()
        self.count = 0
        out.mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(out / "step-summary.md"))

    def __call__(self, *args: str, input: str | None = None) -> Any:
        self.commands.add(args[0])
        self.count += 1
        result = CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)
        assert "Traceback" not in result.stdout + result.stderr, result.stderr
        where = f"`cognito-doctor {' '.join(args)[:160]}`"
        assert self.secrets.leaks(result.stdout) == [], f"stdout of {where}"
        assert self.secrets.leaks(result.stderr) == [], f"stderr of {where}"
        for path in sorted(self.out.rglob("*")):
            if path.is_file():
                assert self.secrets.leaks(path.read_text(errors="replace")) == [], f"{path}"
        return result

    def check_every_format(self, *args: str) -> None:
        """One run writing every format (table on stdout, the others to files), then -v."""
        outputs = [f"--output={f}={self.out / f'{self.count}.{f}'}" for f in FORMATS[1:]]
        formats = [f"--format={f}" for f in FORMATS]
        self("check", *args, *formats, *outputs)
        self("check", *args, "-v")
        self("check", *args, "-v", "--format", "json")


@pytest.fixture
def runs(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, operator_secrets: None
) -> Runs:
    return Runs(world.secrets, tmp_path / "out", monkeypatch)


def where(setup: Setup, endpoint: str) -> list[str]:
    return ["--root", str(setup.root), "--endpoint-url", endpoint]


FAST = ("--connect-timeout", "0.5", "--read-timeout", "1", "--max-attempts", "2")


def test_check_never_prints_a_secret(
    runs: Runs, world: World, sandbox: Sandbox, net: Net, tmp_path: Path
) -> None:
    for setup in (world.healthy, world.broken):
        for env in ("dev", "prod"):
            runs.check_every_format(*where(setup, sandbox.endpoint_url), "--env", env, "--probe")
    # Several environments in one report (a config file naming both setups' files).
    config = world.healthy.root / "cognito-doctor.toml"
    config.write_text(
        "[environments.dev]\n[environments.staging]\nrules = 'prod'\n", encoding="utf-8"
    )
    try:
        runs.check_every_format(*where(world.healthy, sandbox.endpoint_url), "--all-envs")
    finally:
        config.unlink()
    # Errors: AWS refusing the keys and the operator, throttling, nothing listening.
    net.middleware.inject(
        "sts:GetCallerIdentity",
        Fault.ERROR,
        code="InvalidClientTokenId",
        message="The security token included in the request is invalid.",
        status=403,
    )
    net.middleware.inject(
        "cognito-idp:DescribeUserPool",
        Fault.ERROR,
        code="AccessDeniedException",
        message="User: arn:aws:sts::123456789012:assumed-role/ops/x is not authorized to "
        "perform: cognito-idp:DescribeUserPool",
    )
    net.middleware.inject("iam:*", Fault.THROTTLE)
    runs.check_every_format(*where(world.healthy, net.endpoint_url), *FAST)
    runs.check_every_format(*where(world.healthy, dead_endpoint()), *FAST)
    assert net.middleware.counts()["sts:GetCallerIdentity"] > 0  # the errors were met


def test_fix_never_prints_a_secret(
    runs: Runs, world: World, sandbox: Sandbox, net: Net, tmp_path: Path
) -> None:
    """The plan (before → after, commands, .env diffs) and `--apply`'s result and re-check,
    on the healthy and the broken setups, on errors and with nothing listening."""
    for setup in (world.healthy, world.broken):
        for env in ("dev", "prod"):
            runs("fix", *where(setup, sandbox.endpoint_url), "--env", env)
    runs("fix", *where(world.healthy, sandbox.endpoint_url), "--offline")
    runs("fix", *where(world.healthy, dead_endpoint()), *FAST)
    # A broken setup of its own to apply (its secrets seeded next to the others).
    seeded = {"AWS_SECRET_ACCESS_KEY": SERVICE_SECRET, "AWS_SESSION_TOKEN": SERVICE_TOKEN}
    broken = sandbox.create_broken_setup(tmp_path / "apply")
    (broken.root / UM_ENV).write_text(
        "".join(f"{k}={v}\n" for k, v in {**broken.um_env, **seeded}.items())
        + "# a comment next to the secrets\n",
        encoding="utf-8",
    )
    runs.secrets.values.add(broken.um_env["AWS_SECRET_ACCESS_KEY"])
    runs.secrets.key_ids.add(broken.um_env["AWS_ACCESS_KEY_ID"])
    secret = client_secret(sandbox, broken)
    if secret:
        runs.secrets.values.add(secret)
    net.middleware.inject("cognito-idp:UpdateUserPoolClient", Fault.ERROR, code="AccessDenied")
    runs("fix", *where(broken, net.endpoint_url), "--apply", "--yes")
    runs("fix", *where(broken, sandbox.endpoint_url), "--apply", "--yes")
    backups = list(broken.root.rglob("*.cognito-doctor.bak"))
    assert backups  # the .env was edited (its backup holds the secrets, as the file did)


def test_the_on_call_commands_never_print_a_secret(
    runs: Runs, world: World, sandbox: Sandbox, tmp_path: Path
) -> None:
    log = tmp_path / "user-management.log"
    log.write_text(
        "\n".join(
            [
                "[CognitoService] promote failed: AccessDeniedException: User: "
                "arn:aws:iam::123456789012:user/clinical-platform-user-mgmt-dev is not authorized",
                f"AWS_SECRET_ACCESS_KEY={SERVICE_SECRET}",
                f"AWS_SESSION_TOKEN={SERVICE_TOKEN}",
                f"x-amz-security-token: {OPERATOR_TOKEN}",
                f"clientSecret={client_secret(sandbox, world.healthy)}",
                f"Authorization: Bearer {world.id_token}",
                f"NotAuthorizedException: Incorrect username or password ({PASSWORD})",
                "Unable to verify secret hash for client; User is disabled: leak@clinic.test",
            ]
        ),
        encoding="utf-8",
    )
    text = log.read_text()
    for setup, endpoint in (
        (world.healthy, sandbox.endpoint_url),
        (world.broken, sandbox.endpoint_url),
        (world.healthy, dead_endpoint()),
    ):
        for fmt in ("table", "json"):
            runs("triage", *where(setup, endpoint), "--log", str(log), "--format", fmt)
            runs("triage", *where(setup, endpoint), "-", "--format", fmt, input=text)
            runs("triage", *where(setup, endpoint), "--offline", text, "--format", fmt)
            for email in ("leak@clinic.test", "nobody@clinic.test"):
                runs("user", *where(setup, endpoint), email, "--format", fmt)
            for token in (world.id_token, world.access_token):
                runs("token", *where(setup, endpoint), token, "--format", fmt)
                runs("token", *where(setup, endpoint), "-", "--format", fmt, input=token)
                tampered = token[:-6] + ("AAAAAA" if not token.endswith("AAAAAA") else "BBBBBB")
                runs("token", *where(setup, endpoint), tampered, "--format", fmt)
            runs("token", *where(setup, endpoint), world.id_token, "--offline", "--format", fmt)


def test_the_other_commands_and_the_demo_never_print_a_secret(
    runs: Runs, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The demo makes its own setups: collect their secrets as it makes them.
    made: list[Setup] = []
    original = Sandbox.create_setup

    def create_setup(self: Sandbox, root: Path, **changes: Any) -> Setup:
        setup = original(self, root, **changes)
        made.append(setup)
        runs.secrets.values.add(setup.um_env["AWS_SECRET_ACCESS_KEY"])
        runs.secrets.key_ids.add(setup.um_env["AWS_ACCESS_KEY_ID"])
        secret = client_secret(self, setup)
        if secret:
            runs.secrets.values.add(secret)
        return setup

    monkeypatch.setattr(Sandbox, "create_setup", create_setup)
    runs("demo")
    runs("demo", "-v")
    assert len(made) == 4  # a healthy and a broken setup, twice
    runs("list-checks")
    runs("list-checks", "--format", "json")
    runs("list-facts")
    runs("list-facts", "--format", "json")
    runs("explain", "creds.identity")
    runs("schema")
    runs("permissions")


def test_every_command_is_covered() -> None:
    """The three tests above between them run every command the CLI has: a new command
    fails this until it is added to them."""
    covered = {
        "check",
        "fix",
        "triage",
        "user",
        "token",
        "demo",
        "list-checks",
        "list-facts",
        "explain",
        "schema",
        "permissions",
    }
    assert set(main.commands) == covered


def test_secrets_in_the_target_fields_and_wrapped_tokens_never_print(
    runs: Runs, sandbox: Sandbox, tmp_path: Path
) -> None:
    """Issue 16: a secret pasted into COGNITO_USER_POOL_ID / COGNITO_REGION /
    COGNITO_APP_CLIENT_ID (and also under a secret key), and a session token with a line
    break (botocore prints it as a bytes repr, the break as `\\n`), in every format, the job
    summary, and the on-call commands."""
    wrapped = f"{SERVICE_TOKEN[:40]}\n{SERVICE_TOKEN[40:]}"
    setup = sandbox.create_setup(
        tmp_path / "pasted",
        um_changes={
            "AWS_SECRET_ACCESS_KEY": SERVICE_SECRET,
            "COGNITO_USER_POOL_ID": SERVICE_SECRET,
        },
        auth_changes={"COGNITO_REGION": SERVICE_SECRET, "COGNITO_APP_CLIENT_ID": SERVICE_SECRET},
    )
    escaped = wrapped.replace("\n", "\\n")  # dotenv turns "…\n…" into a line break
    env_file = setup.root / UM_ENV
    text = env_file.read_text().replace(f"AWS_SESSION_TOKEN={escaped}", "")
    env_file.write_text(text + f'AWS_SESSION_TOKEN="{escaped}"\n', encoding="utf-8")
    runs.secrets.key_ids.add(setup.um_env["AWS_ACCESS_KEY_ID"])
    for part in wrapped.split("\n"):
        runs.secrets.values.add(part)
    runs.check_every_format(*where(setup, sandbox.endpoint_url))
    runs.check_every_format(*where(setup, dead_endpoint()), *FAST)
    for fmt in ("table", "json"):
        runs("user", *where(setup, sandbox.endpoint_url), "x@clinic.test", "--format", fmt)
        runs("triage", *where(setup, sandbox.endpoint_url), "User does not exist", "--format", fmt)
