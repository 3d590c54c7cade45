"""Checks of what services/auth verifies tokens against: the pool's OIDC discovery document."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from cognito_doctor.engine.model import Location, Outcome, errored, failed, passed
from cognito_doctor.engine.registry import check
from cognito_doctor.facts.records import Discovery
from cognito_doctor.platform.envfiles import EnvFile, EnvFiles
from cognito_doctor.platform.regions import issuer_type_of
from cognito_doctor.platform.settings import RunConfig
from cognito_doctor.platform.target import PoolRef

_HTTP_STATUS = re.compile(r"answered HTTP (\d{3})")
# Problems (as the discovery fact words them) that mean "the server answered, but not with a
# usable document": wrong content, so a fail rather than an error.
_CONTENT_PROBLEMS = (
    "did not return JSON",
    "JSON but not an object",
    "not an http(s) URL",
    "has no jwks_uri",
)


def is_unreachable(problem: str) -> bool:
    """Whether a fetch problem means "could not get an answer" (error) rather than "the answer
    is wrong" (fail). A 4xx status is an answer: nothing is served at that URL."""
    status = _HTTP_STATUS.search(problem)
    if status:
        code = int(status.group(1))
        return code >= 500 or code in (408, 429)
    return not any(marker in problem for marker in _CONTENT_PROBLEMS)


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
    if is_unreachable(problem):
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
        if is_unreachable(jwks_problem):
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
