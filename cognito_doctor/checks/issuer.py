"""Checks of what services/auth verifies tokens against: the pool's OIDC discovery document."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cognito_doctor.checks.changes import env_change
from cognito_doctor.engine.model import Location, Outcome, errored, failed, passed, skipped
from cognito_doctor.engine.registry import check
from cognito_doctor.facts.records import Discovery, FetchProblem
from cognito_doctor.platform.envfiles import EnvFile, EnvFiles
from cognito_doctor.platform.regions import IssuerType, issuer_type_of, pool_issuers
from cognito_doctor.platform.settings import RunConfig
from cognito_doctor.platform.target import PoolRef


def _reach_fix(discovery: Discovery, endpoint: bool) -> str:
    if endpoint:
        return (
            f"Check that the server behind --endpoint-url is running and serves {discovery.url}, "
            "then run again."
        )
    return (
        f"Check this machine can reach {discovery.url} over HTTPS (proxy, firewall, DNS); "
        "services/auth needs the same access to fetch the signing keys. Then run again."
    )


@check(
    "issuer.discovery",
    title="The pool's OIDC discovery document and signing keys are served",
    severity="error",
)
def issuer_discovery(
    discovery: Discovery, pool_ref: PoolRef, env_files: EnvFiles, settings: RunConfig
) -> Outcome:
    """
    ## What it checks
    Fetches the pool's OIDC discovery document
    (`https://cognito-idp.<region>.amazonaws.com/<poolId>/.well-known/openid-configuration`,
    or `<endpoint>/<poolId>/.well-known/openid-configuration` with `--endpoint-url`) and
    checks that its `issuer` is one of the pool's two issuers services/auth accepts (ORIGINAL
    `https://cognito-idp.…` or UPDATED `https://issuer-cognito-idp.…`, derived from
    `COGNITO_REGION` and `COGNITO_USER_POOL_ID`), and equals `COGNITO_ISSUER` in
    `services/auth/.env` when that is set, and that its `jwks_uri` serves at least one RSA key.
    Could not fetch (no connection, timeout, a 5xx): error. Fetched but wrong (a 4xx, not
    JSON, another issuer, no RSA key): fail. `COGNITO_ISSUER` is read from the file when it
    is readable; without services/auth/.env the document is still checked against the derived
    issuer.

    ## Why it matters
    services/auth trusts a token only if its `iss` equals the configured issuer exactly and
    its signature verifies with a key from this JWKS. A wrong issuer or an unreachable key
    set rejects every token Cognito mints, and only at sign-in time.

    ## How to fix
    Make `COGNITO_REGION` and `COGNITO_USER_POOL_ID` name the pool whose tokens services/auth
    receives, and delete `COGNITO_ISSUER` (or set it to the exact issuer the check prints).
    If the document cannot be fetched, make sure this machine (and services/auth) can reach
    `cognito-idp.<region>.amazonaws.com` over HTTPS.
    """
    expected = pool_ref.issuer
    endpoint = settings.endpoint_url is not None
    auth = env_files.auth
    configured = auth.get("COGNITO_ISSUER") if auth.usable else None
    compared = "the derived issuer" + (" and COGNITO_ISSUER" if configured else "")
    not_compared = (
        "" if auth.usable else f" ({auth.label} is not readable: COGNITO_ISSUER not compared)"
    )

    document = discovery.document
    if document is None:
        return _no_document(discovery, pool_ref, endpoint)

    findings = _Findings()
    issuer = document.get("issuer")
    _judge_issuer(findings, issuer, discovery, pool_ref, endpoint)
    _judge_configured(findings, issuer, configured, auth)
    jwks_uri = document.get("jwks_uri")
    kids = _judge_keys(findings, discovery, jwks_uri)

    evidence: dict[str, Any] = {"url": discovery.url, "issuer": issuer, "jwks_uri": jwks_uri}
    if findings.problems:
        if findings.unreachable:
            findings.problems.append(findings.unreachable)
        return failed(
            "; ".join(findings.problems),
            " ".join(dict.fromkeys(findings.fixes)),
            location=findings.location,
            expected_issuer=expected,
            **evidence,
        )
    if findings.unreachable:
        return errored(
            f"issuer {issuer} matches {compared}, but {findings.unreachable}",
            _reach_fix(discovery, endpoint),
            **evidence,
        )
    return passed(
        f"issuer {issuer} matches {compared}; the key set has {len(kids)} RSA key(s){not_compared}",
        key_ids=kids,
        **evidence,
    )


@dataclass
class _Findings:
    """What is wrong with a fetched discovery document, and how to fix it."""

    problems: list[str] = field(default_factory=list)
    fixes: list[str] = field(default_factory=list)
    location: Location | None = None
    unreachable: str | None = None


def _no_document(discovery: Discovery, pool_ref: PoolRef, endpoint: bool) -> Outcome:
    """The outcome when no discovery document could be fetched or used."""
    problem = discovery.problem or "no document"
    kind = discovery.problem_kind or FetchProblem.UNREACHABLE
    if kind.could_not_verify:
        return errored(
            f"could not fetch the pool's discovery document, so the issuer and signing keys "
            f"are unverified: {problem}",
            _reach_fix(discovery, endpoint),
            url=discovery.url,
        )
    return failed(
        f"no usable discovery document for pool {pool_ref.pool_id}: {problem}",
        f"Check that COGNITO_USER_POOL_ID={pool_ref.pool_id} and "
        f"COGNITO_REGION={pool_ref.region} name an existing pool (see pool.exists): "
        f"Cognito serves this document for every pool at {discovery.url}.",
        url=discovery.url,
    )


def _judge_issuer(
    findings: _Findings, issuer: Any, discovery: Discovery, pool_ref: PoolRef, endpoint: bool
) -> None:
    """Note a missing issuer, or one other than the issuer services/auth expects."""
    expected = pool_ref.issuer
    if not isinstance(issuer, str) or not issuer:
        findings.problems.append(f"the document at {discovery.url} has no issuer")
        findings.fixes.append(_reach_fix(discovery, endpoint))
    elif issuer_type_of(issuer, pool_ref.region, pool_ref.pool_id) is None:
        # Either of the pool's formats (ORIGINAL or UPDATED, its IssuerConfiguration) is right.
        findings.problems.append(
            f"the document at {discovery.url} names issuer {issuer}, but services/auth expects "
            f"{expected} (from COGNITO_REGION={pool_ref.region} and "
            f"COGNITO_USER_POOL_ID={pool_ref.pool_id})"
        )
        findings.fixes.append(
            "Make COGNITO_REGION and COGNITO_USER_POOL_ID name the pool whose tokens "
            f"services/auth receives, in both .env files (the document names {issuer})."
        )


def _judge_configured(
    findings: _Findings, issuer: Any, configured: str | None, auth: EnvFile
) -> None:
    """Note a COGNITO_ISSUER in services/auth/.env that is not the document's issuer."""
    if isinstance(issuer, str) and configured is not None and configured != issuer:
        findings.problems.append(
            f"COGNITO_ISSUER={configured} in {auth.label} is not the pool's issuer {issuer}: "
            "services/auth rejects every token"
        )
        findings.fixes.append(
            f"In {auth.label}, set COGNITO_ISSUER={issuer} (or delete the line to derive it)."
        )
        findings.location = auth.location("COGNITO_ISSUER")


def _judge_keys(findings: _Findings, discovery: Discovery, jwks_uri: Any) -> list[str]:
    """Note an unreachable or unusable key set; return the ids of its RSA keys."""
    kids: list[str] = []
    if discovery.jwks is None:
        jwks_problem = discovery.jwks_problem or "no key set"
        kind = discovery.jwks_problem_kind or FetchProblem.UNREACHABLE
        if kind.could_not_verify:
            findings.unreachable = f"could not fetch the signing keys: {jwks_problem}"
        else:
            findings.problems.append(f"no usable signing keys: {jwks_problem}")
            findings.fixes.append(
                "services/auth cannot verify any token without the pool's key set; check that "
                f"the pool exists (pool.exists) and {discovery.url} is Cognito's document."
            )
    else:
        raw_keys = discovery.jwks.get("keys")
        keys = [k for k in raw_keys if isinstance(k, dict)] if isinstance(raw_keys, list) else []
        kids = [str(k.get("kid", "?")) for k in keys if k.get("kty") == "RSA"]
        if not kids:
            kinds = sorted({str(k.get("kty")) for k in keys})
            findings.problems.append(
                f"the key set at {jwks_uri} has no RSA key"
                + (f" (only {', '.join(kinds)})" if kinds else " (no keys)")
                + ": Cognito signs tokens with RS256, so services/auth cannot verify any"
            )
            findings.fixes.append(
                f"Check that {jwks_uri} is the pool's own key set: Cognito serves its RS256 "
                "keys there for every pool."
            )
    return kids


@check(
    "issuer.pool-type",
    title="services/auth expects the issuer the pool's tokens carry",
    severity="error",
)
def issuer_matches_pool_type(
    user_pool: dict[str, Any], pool_ref: PoolRef, auth_env: EnvFile
) -> Outcome:
    """
    ## What it checks
    Which issuer the pool writes into its tokens' `iss` claim (DescribeUserPool's
    `IssuerConfiguration.Type`: ORIGINAL, `https://cognito-idp.<region>.amazonaws.com/<pool>`,
    or UPDATED, `https://issuer-cognito-idp.<region>.amazonaws.com/<pool>`), and that
    services/auth expects that one: `COGNITO_ISSUER` when it is set, else the ORIGINAL issuer
    it derives from `COGNITO_REGION` and `COGNITO_USER_POOL_ID`.

    ## Why it matters
    services/auth compares `iss` character for character. AWS recommends UPDATED for every
    pool (botocore's model, IssuerConfigurationType: "Recommended for all user pools"), but
    the service derives the ORIGINAL issuer when `COGNITO_ISSUER` is left blank (the runbook's
    step 3, `cognitoIssuerFromEnv`): an UPDATED pool with no `COGNITO_ISSUER` has every token
    rejected. A pool whose answer has no IssuerConfiguration is taken as ORIGINAL, the only
    issuer there was before the setting existed.

    ## How to fix
    Set `COGNITO_ISSUER` in services/auth/.env to the issuer this check prints (the pool's),
    and restart services/auth.
    """
    configured = (user_pool.get("IssuerConfiguration") or {}).get("Type")
    kind = IssuerType(configured) if configured in set(IssuerType) else IssuerType.ORIGINAL
    issuers = pool_issuers(pool_ref.region, pool_ref.pool_id)
    tokens_carry = issuers[kind]
    evidence: dict[str, Any] = {
        "issuer_type": kind.value,
        "issuer": tokens_carry,
        "described": configured,
    }
    fix = f"In {auth_env.label}, set COGNITO_ISSUER={tokens_carry} and restart services/auth."
    change = env_change((auth_env.label,), COGNITO_ISSUER=tokens_carry)
    where = auth_env.location("COGNITO_ISSUER")
    expected = auth_env.get("COGNITO_ISSUER")
    if expected is None:
        if kind is IssuerType.ORIGINAL:
            return passed(
                f"the pool's tokens carry the ORIGINAL issuer {tokens_carry}, the one "
                "services/auth derives (COGNITO_ISSUER is not set)",
                **evidence,
            )
        return failed(
            f"the pool signs with its UPDATED issuer {tokens_carry}, but COGNITO_ISSUER is not "
            f"set in {auth_env.label}, so services/auth derives {issuers[IssuerType.ORIGINAL]} "
            "and rejects every token",
            fix,
            location=where,
            change=change,
            **evidence,
        )
    if expected == tokens_carry:
        return passed(f"COGNITO_ISSUER={expected} is the pool's {kind.value} issuer", **evidence)
    other = issuer_type_of(expected, pool_ref.region, pool_ref.pool_id)
    if other is None:
        return skipped("COGNITO_ISSUER is neither of the pool's issuers (see env.issuer)")
    return failed(
        f"COGNITO_ISSUER={expected} is the pool's {other.value} issuer, but the pool's "
        f"IssuerConfiguration is {kind.value}: its tokens carry {tokens_carry}, so services/auth "
        "rejects every token",
        fix,
        location=where,
        change=change,
        **evidence,
    )
