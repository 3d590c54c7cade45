"""Helpers for the `.env` checks in `cognito_doctor.checks.env`: value patterns, and the
step-by-step judgement of the service's AWS keys. Offline, and no checks of its own."""

from __future__ import annotations

import re

from cognito_doctor.checks.changes import env_change
from cognito_doctor.engine.model import Change, Location, Outcome, failed, passed, skipped, warned
from cognito_doctor.platform.envfiles import EnvFile, EnvFiles, EnvReader
from cognito_doctor.platform.regions import expected_issuer, is_region, pool_id_region, pool_issuers
from cognito_doctor.platform.target import POOL_ID_PATTERN, EnvTarget

RUNBOOK_EXAMPLE_POOL_ID = "eu-west-2_AbCdEf123"
CLIENT_ID_PATTERN = re.compile(r"^[\w+]{1,128}$")
# "x{6,}", not "xxx": a real key id, secret or client id may well contain three x's.
PLACEHOLDER_PATTERN = re.compile(r"[<>…]|\.\.\.|changeme|your[-_]|^x+$|x{6,}", re.IGNORECASE)
ACCESS_KEY_PATTERN = re.compile(r"^(AKIA|ASIA)[A-Z0-9]+$")


def key_hint(key_id: str) -> str:
    """The key id's last four characters, the most of it ever shown."""
    return f"…{key_id[-4:]}" if len(key_id) > 4 else "…"


def usable_files(env_files: EnvFiles) -> list[EnvFile]:
    """The `.env` files that exist and parse."""
    return [env for env in env_files if env.usable]


def prod_credentials(um_env: EnvFile, key_id: str | None, secret: str | None) -> Outcome:
    """prod: static keys in the file are a failure; the execution role should be used."""
    if key_id or secret:
        key = "AWS_ACCESS_KEY_ID" if key_id else "AWS_SECRET_ACCESS_KEY"
        return failed(
            f"static AWS keys are set in {um_env.label} for prod"
            + (f" (key id {key_hint(key_id)})" if key_id else ""),
            f"Delete AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN from "
            f"{um_env.label} and attach the clinical-platform-user-mgmt policy to the "
            "service's ECS/EC2/EKS execution role; the SDK's default chain picks the role up.",
            location=um_env.location(key),
        )
    return passed("no static keys: the SDK uses the execution role (prod)")


def dev_credentials(
    um_env: EnvFile, key_id: str | None, secret: str | None, token: str | None
) -> Outcome:
    """dev: both keys set, real rather than placeholders, and shaped like AWS keys."""
    fix = (
        "In IAM → Users → clinical-platform-user-mgmt-dev → Security credentials → Create "
        f"access key, then paste AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY into {um_env.label} "
        "and restart user-management."
    )
    missing = [
        k for k, v in (("AWS_ACCESS_KEY_ID", key_id), ("AWS_SECRET_ACCESS_KEY", secret)) if not v
    ]
    if missing:
        return failed(
            f"{' and '.join(missing)} not set in {um_env.label}: every Cognito call will fail",
            fix,
            location=um_env.location(missing[0]),
        )
    assert key_id is not None and secret is not None
    placeholder = _placeholder_keys(um_env, key_id, secret, token, fix)
    if placeholder is not None:
        return placeholder
    example = _example_keys(um_env, key_id, secret, fix)
    if example is not None:
        return example
    return _key_shape(um_env, key_id, secret, token, fix)


def _placeholder_keys(
    um_env: EnvFile, key_id: str, secret: str, token: str | None, fix: str
) -> Outcome | None:
    """A failure if any of the keys is still the runbook's placeholder, else None."""
    placeholders = [
        name
        for name, value in (
            ("AWS_ACCESS_KEY_ID", key_id),
            ("AWS_SECRET_ACCESS_KEY", secret),
            ("AWS_SESSION_TOKEN", token),
        )
        if value and PLACEHOLDER_PATTERN.search(value)
    ]
    if not placeholders:
        return None
    if placeholders == ["AWS_SESSION_TOKEN"]:
        fix = (
            f"Delete the AWS_SESSION_TOKEN line from {um_env.label} (a long-term AKIA key "
            "needs none), or paste the session token that came with the temporary keys."
        )
    return failed(
        f"{' and '.join(placeholders)} {'is' if len(placeholders) == 1 else 'are'} still "
        "the runbook's placeholder",
        fix,
        location=um_env.location(placeholders[0]),
    )


def _example_keys(um_env: EnvFile, key_id: str, secret: str, fix: str) -> Outcome | None:
    """A failure if either key is AWS's documentation example, else None."""
    # AWS's documentation keys (AKIAIOSFODNN7EXAMPLE, wJalr…EXAMPLEKEY) get pasted from docs.
    examples = [
        name
        for name, value, tail in (
            ("AWS_ACCESS_KEY_ID", key_id, "EXAMPLE"),
            ("AWS_SECRET_ACCESS_KEY", secret, "EXAMPLEKEY"),
        )
        if value.endswith(tail)
    ]
    if not examples:
        return None
    return failed(
        f"{' and '.join(examples)} {'is' if len(examples) == 1 else 'are'} AWS's "
        "documentation example, not a real key",
        fix,
        location=um_env.location(examples[0]),
    )


def _key_shape(um_env: EnvFile, key_id: str, secret: str, token: str | None, fix: str) -> Outcome:
    """The key id's prefix, a temporary key's session token, and both keys' lengths."""
    if not ACCESS_KEY_PATTERN.match(key_id):
        return failed(
            f"AWS_ACCESS_KEY_ID ({key_hint(key_id)}) is not an access key id: they start with "
            "AKIA (long-term) or ASIA (temporary)",
            fix,
            location=um_env.location("AWS_ACCESS_KEY_ID"),
        )
    if key_id.startswith("ASIA") and not token:
        return failed(
            f"AWS_ACCESS_KEY_ID ({key_hint(key_id)}) is a temporary key (ASIA…) but "
            "AWS_SESSION_TOKEN is not set, so AWS rejects it",
            f"Add the AWS_SESSION_TOKEN that came with these keys to {um_env.label}, or use a "
            "long-term AKIA key of the IAM user.",
            location=um_env.location("AWS_ACCESS_KEY_ID"),
        )
    odd = []
    if len(key_id) != 20:
        odd.append(f"the key id has {len(key_id)} characters (AWS's have 20)")
    if len(secret) != 40:
        odd.append(f"the secret has {len(secret)} characters (AWS's have 40)")
    if odd:
        return warned(
            f"AWS keys look truncated or padded: {'; '.join(odd)}",
            "Copy both values again from the access key's creation page (or create a new key).",
            location=um_env.location("AWS_ACCESS_KEY_ID"),
            key_id=key_hint(key_id),
        )
    kind = "temporary (with session token)" if key_id.startswith("ASIA") else "long-term"
    return passed(f"AWS keys set: {kind}, key id {key_hint(key_id)}", key_id=key_hint(key_id))


def value_problem(env: EnvFile, key: str) -> str | None:
    """What makes `key`'s value in `env` unusable as the service receives it, or None:
    whitespace the loader kept (inside quotes), a quote it kept because it is never closed,
    or a `${…}` reference dotenv for Node leaves unexpanded."""
    value = env.get(key)
    entry = env.entry(key)
    if value is None or entry is None:
        return None
    where = f"{key} in {env.location(key)}"
    if entry.unclosed_quote:
        return (
            f"{where} starts with a quote that is never closed, so {env.reader.described} keeps "
            f"it: the service receives {value!r}"
        )
    if value != value.strip():
        return (
            f"{where} is {value!r}: the loader keeps the whitespace inside the quotes, and AWS "
            "rejects the value with it"
        )
    if env.reader is EnvReader.NODE and "${" in value:
        return (
            f"{where} is {value!r}: dotenv for Node never expands ${{…}} (@nestjs/config does "
            "only with expandVariables: true), so the service receives it literally"
        )
    return None


def unset_or_spoiled(
    files: list[EnvFile], key: str, fix: str, change: Change | None
) -> Outcome | None:
    """The failure when `key` is not set in one of `files`, or set to a value the service
    can't use (whitespace kept in quotes, `${…}`, …); None when every file has a usable one."""
    for env in files:
        if env.get(key) is None:
            return failed(
                f"{key} is not set in {env.label}", fix, location=env.location(key), change=change
            )
    spoiled = first_value_problem(files, key)
    if spoiled is not None:
        return failed(spoiled[0], fix, location=spoiled[1])
    return None


def first_value_problem(files: list[EnvFile], key: str) -> tuple[str, Location] | None:
    """The first file's `value_problem` for `key`, with where it is."""
    for env in files:
        problem = value_problem(env, key)
        if problem is not None:
            return problem, env.location(key)
    return None


def wrong_locations(files: list[EnvFile], key: str, right: str) -> list[Location]:
    """Where `key` is set to something other than `right` (each file's winning line)."""
    return [env.location(key) for env in files if env.get(key) != right]


def disagreement(
    files: list[EnvFile], key: str, right: str | None, why: str, *, change: Change | None = None
) -> Outcome:
    """`key` differs between the files: located at the (first) wrong value when `right` is
    known (`why` says how), else at the last file, naming every file and line; `change` is
    what `cognito-doctor fix` would write."""
    values = {env.label: str(env.get(key)) for env in files}
    described = ", ".join(f"{env.location(key)} has {env.get(key)}" for env in files)
    if right is not None and right in values.values():
        wrong = wrong_locations(files, key, right)
        return failed(
            f"{key} differs: {described}; {why}, so {' and '.join(map(str, wrong))} "
            f"{'is' if len(wrong) == 1 else 'are'} wrong",
            f"Set {key}={right} in " + " and ".join(w.file for w in wrong) + ".",
            location=wrong[0],
            change=change,
            values=values,
            locations=[str(w) for w in wrong],
        )
    return failed(
        f"{key} differs: {described}",
        f"Use the same {key} in " + " and ".join(env.label for env in files) + ".",
        location=files[-1].location(key),
        change=change,
        values=values,
        locations=[str(env.location(key)) for env in files],
    )


def right_pool_id(files: list[EnvFile]) -> tuple[str | None, str]:
    """The pool id that agrees with the files' one COGNITO_REGION, if exactly one does."""
    regions = {env.get("COGNITO_REGION") for env in files} - {None}
    if len(regions) != 1:
        return None, ""
    region = str(next(iter(regions)))
    matching = {
        str(env.get("COGNITO_USER_POOL_ID"))
        for env in files
        if str(env.get("COGNITO_USER_POOL_ID")).startswith(f"{region}_")
    }
    if len(matching) != 1:
        return None, ""
    return matching.pop(), f"COGNITO_REGION is {region}"


def file_warnings(env_files: EnvFiles) -> Outcome | None:
    """env.files' warnings: values with an unclosed quote, then keys assigned twice."""
    unclosed = [f"{env.label}:{line}" for env in env_files for line in env.unclosed_quote_lines()]
    if unclosed:
        first_env = next(env for env in env_files if env.unclosed_quote_lines())
        return warned(
            f"{len(unclosed)} value(s) open a quote that is never closed, and "
            f"{first_env.reader.described} keeps the quote as part of the value: "
            + ", ".join(unclosed),
            "Close each named quote (or remove it).",
            location=Location(first_env.label, first_env.unclosed_quote_lines()[0]),
            unclosed_quotes=unclosed,
        )
    duplicates = {
        f"{env.label}: {key}": lines for env in env_files for key, lines in env.duplicates().items()
    }
    if duplicates:
        described = "; ".join(
            f"{where} on lines {', '.join(map(str, lines))} (line {lines[-1]} wins)"
            for where, lines in duplicates.items()
        )
        first_env = next(env for env in env_files if env.duplicates())
        first_key, first_lines = next(iter(first_env.duplicates().items()))
        return warned(
            f"keys set more than once: {described}",
            f"Keep one assignment of each key; the loader uses the last one ({first_key} "
            f"on line {first_lines[-1]}).",
            location=Location(first_env.label, first_lines[0]),
            duplicates=duplicates,
        )
    return None


def judge_issuer(auth_env: EnvFile, env_target: EnvTarget) -> Outcome:
    """env.issuer's verdict: COGNITO_ISSUER against the two issuers of the pool the run checks,
    in the region its id starts with."""
    pool_id = env_target.pool_id.value
    region = pool_id_region(pool_id)
    issuer = auth_env.get("COGNITO_ISSUER")
    if not pool_id or not region or not POOL_ID_PATTERN.match(pool_id) or not is_region(region):
        if issuer is None:
            return passed("COGNITO_ISSUER is not set (derived from pool id and region)")
        return skipped("cannot work out the expected issuer: see env.pool-id and env.region")
    expected = expected_issuer(region, pool_id)
    if issuer is None:
        return passed(
            f"COGNITO_ISSUER is not set; services/auth derives {expected}", issuer=expected
        )
    spoiled = value_problem(auth_env, "COGNITO_ISSUER")
    if spoiled is not None:
        return failed(
            spoiled,
            f"In {auth_env.label}, set COGNITO_ISSUER={expected} (or delete the line to derive "
            "it).",
            location=auth_env.location("COGNITO_ISSUER"),
            expected=expected,
        )
    issuers = pool_issuers(region, pool_id)
    if issuer in issuers.values():
        kind = next(k for k, v in issuers.items() if v == issuer)
        return passed(f"COGNITO_ISSUER={issuer} (the pool's {kind} issuer)", issuer=issuer)
    difference = (
        "it has a trailing slash"
        if issuer.rstrip("/") in issuers.values()
        else f"it should be {' or '.join(issuers.values())}"
    )
    return failed(
        f"COGNITO_ISSUER={issuer!r} will reject every token: {difference}",
        f"In {auth_env.label}, set COGNITO_ISSUER={expected} (or delete the line to derive it).",
        location=auth_env.location("COGNITO_ISSUER"),
        change=env_change((auth_env.label,), COGNITO_ISSUER=expected),
        expected=expected,
        actual=issuer,
    )
