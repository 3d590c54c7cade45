"""Checks of the two services' `.env` files. All offline: they read files and nothing else."""

from __future__ import annotations

from cognito_doctor.checks.changes import env_change, env_key_change
from cognito_doctor.checks.env_values import (
    CLIENT_ID_PATTERN,
    PLACEHOLDER_PATTERN,
    RUNBOOK_EXAMPLE_POOL_ID,
    dev_credentials,
    disagreement,
    file_warnings,
    judge_issuer,
    prod_credentials,
    right_pool_id,
    unset_or_spoiled,
    usable_files,
    value_problem,
    wrong_locations,
)
from cognito_doctor.engine.model import Location, Outcome, failed, passed, skipped, warned
from cognito_doctor.engine.registry import check
from cognito_doctor.platform.envfiles import EnvFile, EnvFiles
from cognito_doctor.platform.regions import is_region
from cognito_doctor.platform.settings import RunConfig
from cognito_doctor.platform.target import POOL_ID_PATTERN, EnvTarget, read_target

# A report lists this many malformed lines, then counts the rest: 90,000 of them would be
# megabytes of output nobody reads.
MAX_LISTED = 10


@check("env.files", title="Both .env files exist and parse", severity="error")
def env_files_parse(env_files: EnvFiles) -> Outcome:
    """
    ## What it checks
    That `services/user-management/.env` and `services/auth/.env` exist under `--root`, are
    text, and parse as `.env` files, read as the services' loader reads them. By default that
    is dotenv for Node (the npm package `dotenv` 16, which `@nestjs/config` uses): `export`,
    `KEY: value`, single, double and backtick quotes, `\\n` in double quotes, an unquoted `#`
    starting a comment, no `${VAR}` expansion, and an unclosed quote kept as part of the value.
    An environment whose services load `.env` from Python sets `env_reader = "python"` in the
    config file (python-dotenv's rules, `${VAR}` expanded). Every line the loader skips is named
    as `file:line`. A key assigned twice, or a value with a quote that is never closed, is a
    warning: the last assignment wins.

    ## Why it matters
    A line the loader cannot parse is silently dropped, so a setting you can see in the file
    is not the one the service runs with. A duplicated key is worse: the earlier value looks
    right in review while the later one is in force. dotenv's parse rules are in its
    lib/main.js (the `LINE` regex); tests/oracles/test_dotenv_node.py holds this reader to the
    real package.

    ## How to fix
    Create the missing file from the runbook's step 3 (or the service's `.env.example`), and
    rewrite each named line as `KEY=value`, quoting values that contain spaces or `#`.
    Delete all but one assignment of a duplicated key.
    """
    problems = [env for env in env_files if not env.usable]
    if problems:
        first = problems[0]
        return failed(
            "; ".join(str(env.problem) for env in problems),
            f"Create {first.label} with the settings from the runbook's step 3 "
            "(start from the service's .env.example).",
            location=Location(first.label),
            files={env.label: env.problem for env in problems},
        )
    malformed = [f"{env.label}:{line}" for env in env_files for line in env.malformed_lines]
    if malformed:
        first_env = next(env for env in env_files if env.malformed_lines)
        shown = ", ".join(malformed[:MAX_LISTED])
        if len(malformed) > MAX_LISTED:
            shown += f" and {len(malformed) - MAX_LISTED:,} more malformed lines"
        return failed(
            f"{len(malformed)} line(s) don't parse and are ignored by the loader: " + shown,
            "Rewrite each named line as KEY=value (quote values with spaces or '#', close "
            "every quote); lines starting with '#' are comments.",
            location=Location(first_env.label, first_env.malformed_lines[0]),
            malformed=malformed[:MAX_LISTED],
            malformed_count=len(malformed),
        )
    warning = file_warnings(env_files)
    if warning is not None:
        return warning
    return passed(
        f"both files parse as {env_files.um.reader.described} reads them "
        f"({env_files.um.label}: {len(env_files.um.entries)} keys, "
        f"{env_files.auth.label}: {len(env_files.auth.entries)} keys)",
        keys={env.label: sorted({e.key for e in env.entries}) for env in env_files},
    )


@check("env.provider", title="user-management uses the real Cognito provider", severity="error")
def provider_is_cognito(um_env: EnvFile) -> Outcome:
    """
    ## What it checks
    That `COGNITO_PROVIDER=cognito` in `services/user-management/.env`.

    ## Why it matters
    The service ships with `COGNITO_PROVIDER=mock` so local development needs no AWS account.
    The mock never calls AdminCreateUser: promoting a user "succeeds", the log says
    `[MOCK] Created user mock-<uuid>`, and no invitation email is ever sent.

    ## How to fix
    Set `COGNITO_PROVIDER=cognito` in `services/user-management/.env` and restart the service.
    """
    value = um_env.get("COGNITO_PROVIDER")
    fix = f"Set COGNITO_PROVIDER=cognito in {um_env.label} and restart user-management."
    change = env_change((um_env.label,), COGNITO_PROVIDER="cognito")
    if value == "cognito":
        return passed("COGNITO_PROVIDER=cognito", location=um_env.location("COGNITO_PROVIDER"))
    if value is None:
        return failed(
            "COGNITO_PROVIDER is not set, so the service uses its default, the mock provider: "
            "AdminCreateUser is never called and no invitation email is sent",
            fix,
            location=um_env.location(),
            change=change,
        )
    if value.lower() == "mock":
        return failed(
            "COGNITO_PROVIDER=mock: mock mode never calls AdminCreateUser, so no invitation "
            "email is sent (the log shows '[MOCK] Created user mock-…')",
            fix,
            location=um_env.location("COGNITO_PROVIDER"),
            change=change,
        )
    return failed(
        f"COGNITO_PROVIDER={value!r} is neither 'cognito' nor 'mock'",
        fix,
        location=um_env.location("COGNITO_PROVIDER"),
        change=change,
    )


@check(
    "env.pool-id", title="COGNITO_USER_POOL_ID is set, identical and well-formed", severity="error"
)
def pool_id_consistent(env_files: EnvFiles) -> Outcome:
    """
    ## What it checks
    That `COGNITO_USER_POOL_ID` is set in both `.env` files, to the same value, in the form
    AWS uses (`<region>_<id>`, botocore's pattern `[\\w-]+_[0-9a-zA-Z]+`) with a real region
    as its prefix, and that it is not the runbook's example `eu-west-2_AbCdEf123`.

    ## Why it matters
    user-management creates users in the pool it names; services/auth accepts tokens only
    from the pool it names. Two different ids mean invited users can never sign in to the
    services that check tokens, and a placeholder means every Cognito call fails.

    ## How to fix
    Copy the User Pool ID from the Cognito console (User pools → your pool → overview, top)
    into both files.
    """
    files = usable_files(env_files)
    if not files:
        return skipped("neither .env file is readable (see env.files)")
    fix = (
        "Copy the User Pool ID from Cognito → User pools → your pool (overview, top) into "
        f"COGNITO_USER_POOL_ID in {' and '.join(env.label for env in files)}."
    )
    # One resolution of the target: the first file's pool id (user-management's) wins.
    named = read_target(env_files).pool_id.value
    well_formed = (
        named
        if named and POOL_ID_PATTERN.match(named) and named != RUNBOOK_EXAMPLE_POOL_ID
        else None
    )
    change = env_key_change(files, "COGNITO_USER_POOL_ID", well_formed)
    unusable = unset_or_spoiled(files, "COGNITO_USER_POOL_ID", fix, change)
    if unusable is not None:
        return unusable
    values = {env.label: str(env.get("COGNITO_USER_POOL_ID")) for env in files}
    if len(set(values.values())) > 1:
        right, why = right_pool_id(files)
        return disagreement(files, "COGNITO_USER_POOL_ID", right, why, change=change)
    env = files[0]
    pool_id = values[env.label]
    where = env.location("COGNITO_USER_POOL_ID")
    if pool_id == RUNBOOK_EXAMPLE_POOL_ID:
        return failed(
            f"COGNITO_USER_POOL_ID is the runbook's example value {pool_id}, not a real pool",
            fix,
            location=where,
        )
    if not POOL_ID_PATTERN.match(pool_id) or len(pool_id) > 55:
        return failed(
            f"COGNITO_USER_POOL_ID {pool_id!r} is not a pool id (they look like eu-west-2_AbC123)",
            fix,
            location=where,
        )
    prefix = pool_id.split("_")[0]
    if not is_region(prefix):
        return failed(
            f"COGNITO_USER_POOL_ID {pool_id!r} starts with {prefix!r}, which is not an AWS region",
            fix,
            location=where,
        )
    return passed(f"COGNITO_USER_POOL_ID={pool_id} in {len(files)} file(s)", user_pool_id=pool_id)


@check(
    "env.region", title="COGNITO_REGION is set, identical and matches the pool", severity="error"
)
def region_consistent(env_files: EnvFiles, settings: RunConfig) -> Outcome:
    """
    ## What it checks
    That `COGNITO_REGION` is set in both `.env` files, to the same real AWS region, and that it
    equals the region prefix of `COGNITO_USER_POOL_ID` (a pool id starts with its region) and,
    when a config file sets the environment's `region`, that region.

    ## Why it matters
    The SDK looks for the pool in `COGNITO_REGION`: a pool id from another region gives
    ResourceNotFoundException on every call, and services/auth derives the token issuer from
    the region, so a mismatch rejects every token.

    ## How to fix
    Set `COGNITO_REGION` in both files to the pool id's prefix (for `eu-west-2_AbC123`, that
    is `eu-west-2`).
    """
    files = usable_files(env_files)
    if not files:
        return skipped("neither .env file is readable (see env.files)")
    pool_id = read_target(env_files).pool_id.value
    pool_region = pool_id.split("_")[0] if pool_id and "_" in pool_id else None
    suggestion = pool_region if pool_region and is_region(pool_region) else "<the pool's region>"
    fix = f"Set COGNITO_REGION={suggestion} in {' and '.join(env.label for env in files)}."
    known = suggestion if suggestion == pool_region else None
    change = env_key_change(files, "COGNITO_REGION", known)
    unusable = unset_or_spoiled(files, "COGNITO_REGION", fix, change)
    if unusable is not None:
        return unusable
    values = {env.label: str(env.get("COGNITO_REGION")) for env in files}
    if len(set(values.values())) > 1:
        if pool_region is not None and is_region(pool_region):
            return disagreement(
                files,
                "COGNITO_REGION",
                pool_region,
                f"the pool id {pool_id} is in {pool_region}",
                change=change,
            )
        expected_region = settings.expect.region
        why = f"the config file expects {expected_region} for {settings.name}"
        return disagreement(files, "COGNITO_REGION", expected_region, why, change=change)
    region = values[files[0].label]
    where = files[0].location("COGNITO_REGION")
    if not is_region(region):
        return failed(
            f"COGNITO_REGION={region!r} is not an AWS region", fix, location=where, change=change
        )
    if pool_region is not None and pool_region != region:
        wrong = wrong_locations(files, "COGNITO_REGION", pool_region)
        return failed(
            f"COGNITO_REGION={region} (in {' and '.join(map(str, wrong))}) but the pool id "
            f"{pool_id} is in {pool_region}",
            fix,
            location=where,
            locations=[str(w) for w in wrong],
            change=change,
        )
    expected = settings.expect.region
    if expected is not None and expected != region:
        return failed(
            f"COGNITO_REGION={region}, but the config file expects {expected} for {settings.name}",
            f"Point {settings.name}'s .env files at its pool in {expected}, or correct the "
            "environment's `region` in the config file.",
            location=where,
        )
    return passed(f"COGNITO_REGION={region}", region=region)


@check("env.issuer", title="COGNITO_ISSUER, if set, is the pool's exact issuer", severity="error")
def issuer_override(auth_env: EnvFile, env_target: EnvTarget) -> Outcome:
    """
    ## What it checks
    If `COGNITO_ISSUER` is set in `services/auth/.env`, that it equals exactly one of the
    pool's two issuers, `https://cognito-idp.<region>.amazonaws.com/<poolId>` (issuer type
    ORIGINAL) or `https://issuer-cognito-idp.<region>.amazonaws.com/<poolId>` (UPDATED), with
    no trailing slash and no `${…}` (dotenv for Node does not expand it), for the pool the run
    checks (`COGNITO_USER_POOL_ID`, user-management's file first) in the region its id starts
    with (a pool's id begins with the region it is in), so that this fix and env.region's never
    disagree. Unset is fine: services/auth then derives the issuer itself.

    ## Why it matters
    services/auth compares a token's `iss` claim with this string character for character.
    A trailing slash, `http://`, or another pool's id rejects every token Cognito mints. The two
    formats are botocore's IssuerConfigurationType (UserPoolType's IssuerConfiguration);
    aws-jwt-verify's CognitoJwtVerifier accepts both for a pool.

    ## How to fix
    Delete the `COGNITO_ISSUER` line (the derived value is right), or set it to the exact value
    this check prints.
    """
    return judge_issuer(auth_env, env_target)


@check("env.app-client-id", title="COGNITO_APP_CLIENT_ID is a real client id", severity="error")
def app_client_id_shape(auth_env: EnvFile) -> Outcome:
    """
    ## What it checks
    That `COGNITO_APP_CLIENT_ID` in `services/auth/.env` looks like a Cognito app client id
    (`[\\w+]{1,128}`) and is not a placeholder such as `<app-client-id-from-step-1.9>`. Unset
    is a warning: only the token-exchange grant needs it.

    ## Why it matters
    services/auth checks that a token's `aud` (ID token) or `client_id` (access token) equals
    this value. A placeholder or a typo rejects every token, with an error that only says the
    audience is wrong.

    ## How to fix
    Copy the id from Cognito → User pools → your pool → App integration → App clients and
    analytics (the `clinical-platform` client) into `COGNITO_APP_CLIENT_ID`, then restart auth.
    """
    fix = (
        "Copy the App client ID from Cognito → User pools → your pool → App integration → "
        f"App clients into COGNITO_APP_CLIENT_ID in {auth_env.label}, then restart auth."
    )
    value = auth_env.get("COGNITO_APP_CLIENT_ID")
    if value is None:
        return warned(
            f"COGNITO_APP_CLIENT_ID is not set in {auth_env.label}; only the token-exchange grant "
            "needs it, and tokens will be rejected if you use that grant",
            fix,
            location=auth_env.location("COGNITO_APP_CLIENT_ID"),
        )
    where = auth_env.location("COGNITO_APP_CLIENT_ID")
    spoiled = value_problem(auth_env, "COGNITO_APP_CLIENT_ID")
    if spoiled is not None:
        return failed(spoiled, fix, location=where)
    if PLACEHOLDER_PATTERN.search(value) or "client-id" in value.lower():
        return failed(f"COGNITO_APP_CLIENT_ID={value!r} is a placeholder", fix, location=where)
    if not CLIENT_ID_PATTERN.match(value):
        return failed(
            f"COGNITO_APP_CLIENT_ID={value!r} is not a client id (letters, digits, '_' and '+', "
            "at most 128)",
            fix,
            location=where,
        )
    return passed(f"COGNITO_APP_CLIENT_ID={value}", app_client_id=value)


@check("env.aws-credentials", title="The service's AWS keys fit the environment", severity="error")
def aws_credentials_shape(um_env: EnvFile, settings: RunConfig) -> Outcome:
    """
    ## What it checks
    dev: that `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` are both set in
    `services/user-management/.env`, shaped like AWS keys (an `AKIA` or `ASIA` prefix; a key id
    of other than 20 characters or a secret of other than 40 is a warning), not the runbook's
    placeholders (`AKIA…`, `…`), and that a temporary `ASIA` key comes with
    `AWS_SESSION_TOKEN`. prod: that there are no static keys at all. Secrets are never shown:
    at most the key id's last four characters.

    ## Why it matters
    Missing or placeholder keys make the first promote fail with a 500
    (NotAuthorizedException / UnrecognizedClientException). Temporary keys without their
    session token are rejected. In prod, long-lived keys in a file are a liability: the
    runbook attaches the policy to the execution role instead.

    ## How to fix
    dev: create an access key for the IAM user `clinical-platform-user-mgmt-dev` (IAM → Users
    → the user → Security credentials → Create access key) and paste both halves. prod: delete
    the keys from the file and attach the policy to the ECS/EC2/EKS execution role.
    """
    key_id = um_env.get("AWS_ACCESS_KEY_ID")
    secret = um_env.get("AWS_SECRET_ACCESS_KEY")
    token = um_env.get("AWS_SESSION_TOKEN")
    if settings.prod:
        return prod_credentials(um_env, key_id, secret)
    return dev_credentials(um_env, key_id, secret, token)
