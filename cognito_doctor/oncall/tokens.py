"""`cognito-doctor token JWT`: would services/auth accept this Cognito token, and if not, why.

services/auth trusts a token when its RS256 signature verifies with the key its `kid` names in
the pool's JWKS, `iss` is exactly the configured issuer, `token_use` is `id` or `access`, the
ID token's `aud` (or the access token's `client_id`) is COGNITO_APP_CLIENT_ID, and `exp`,
`nbf` and `iat` agree with the clock (within a small skew). This module decodes and verifies
with joserfc and says which of those fails. A token is a credential: nothing here returns or
prints it, only its header and the claims that matter.
"""

from __future__ import annotations

import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cognito_doctor.platform.envfiles import EnvFile
from cognito_doctor.platform.regions import expected_issuer, is_region

DEFAULT_SKEW_SECONDS = 60
TOKEN_USES = ("id", "access")
_B64URL = re.compile(r"^[A-Za-z0-9_-]*$")
# Claims shown to the person, in this order; anything else (email, custom attributes,
# jti) is left out: it is not needed to explain a rejection.
SHOWN_CLAIMS = (
    "iss",
    "token_use",
    "aud",
    "client_id",
    "sub",
    "cognito:username",
    "username",
    "scope",
    "auth_time",
    "iat",
    "nbf",
    "exp",
)
TIME_CLAIMS = ("auth_time", "iat", "nbf", "exp")

OK = "ok"
FAIL = "fail"
UNVERIFIED = "unverified"


class TokenInputError(ValueError):
    """The input is not a token that can be decoded (empty, not a JWT, a refresh token)."""


@dataclass(frozen=True)
class DecodedToken:
    """A JWT's header and claims, decoded but not yet trusted."""

    header: dict[str, Any]
    claims: dict[str, Any]
    compact: str = field(repr=False)

    def __repr__(self) -> str:  # never let the token reach a traceback or a log
        return f"DecodedToken(header={self.header!r})"


@dataclass(frozen=True)
class Expectation:
    """What services/auth's `.env` says a token must carry, and where each value comes from."""

    issuer: str | None
    issuer_source: str
    client_id: str | None
    client_source: str
    pool_id: str | None = None
    region: str | None = None


@dataclass(frozen=True)
class TokenCheck:
    """One thing services/auth verifies: ok, fail, or unverified (and why)."""

    name: str
    status: str
    message: str


@dataclass(frozen=True)
class TokenVerdict:
    """The outcome for one token: every check, and the claims that matter."""

    checks: tuple[TokenCheck, ...]
    header: dict[str, Any]
    claims: dict[str, Any]

    @property
    def rejected(self) -> bool:
        return any(c.status == FAIL for c in self.checks)

    @property
    def verified(self) -> bool:
        return all(c.status == OK for c in self.checks)

    @property
    def summary(self) -> str:
        """One line: accepted, or rejected with the first reason."""
        failures = [c for c in self.checks if c.status == FAIL]
        if failures:
            more = f" (and {len(failures) - 1} more problem(s) below)" if len(failures) > 1 else ""
            return f"services/auth would REJECT this token: {failures[0].message}{more}"
        unverified = [c.name for c in self.checks if c.status == UNVERIFIED]
        if unverified:
            return "nothing wrong found, but not everything could be verified: " + ", ".join(
                unverified
            )
        return (
            "services/auth would accept this token: signature, iss, token_use, audience and "
            "expiry all check out"
        )


def decode(raw: str) -> DecodedToken:
    """Decode a compact JWT without trusting it. Raises TokenInputError for anything else."""
    text = raw.strip().strip("\"'").strip()
    if text.lower().startswith("bearer "):
        text = text[7:].strip()
    if not text:
        raise TokenInputError("no token given (the input is empty)")
    parts = text.split(".")
    if len(parts) == 5:
        raise TokenInputError(
            "this is an encrypted JWE (five dot-separated parts), such as a Cognito refresh "
            "token: it cannot be decoded, and services/auth verifies ID and access tokens only"
        )
    if len(parts) != 3:
        raise TokenInputError(
            f"not a JWT: a JWT has three dot-separated parts, this input has {len(parts)}"
        )
    for index, part in enumerate(parts[:2], start=1):
        if not part or not _B64URL.match(part):
            raise TokenInputError(
                f"not a JWT: part {index} is not base64url (it has characters a JWT cannot hold)"
            )
    if not _B64URL.match(parts[2]):
        raise TokenInputError("not a JWT: the signature part is not base64url")
    from joserfc import jws
    from joserfc.errors import JoseError

    try:
        compact = jws.extract_compact(text.encode("ascii"))
        header = dict(compact.headers())
        claims = json.loads(compact.payload)
    except (JoseError, ValueError, binascii.Error, UnicodeError) as exc:
        raise TokenInputError(
            f"not a JWT: its header or payload is not base64url-encoded JSON ({type(exc).__name__})"
        ) from None
    if not isinstance(claims, dict):
        raise TokenInputError("not a JWT: its payload is JSON but not an object of claims")
    return DecodedToken(header, claims, text)


def expectation_from_env(auth: EnvFile, region_override: str | None = None) -> Expectation:
    """What services/auth expects, from its `.env` (COGNITO_ISSUER wins over the derived one)."""
    if not auth.usable:
        reason = f"{auth.problem}"
        return Expectation(None, reason, None, reason)
    pool_id = auth.get("COGNITO_USER_POOL_ID")
    region = region_override or auth.get("COGNITO_REGION")
    configured = auth.get("COGNITO_ISSUER")
    if configured:
        issuer: str | None = configured
        issuer_source = f"COGNITO_ISSUER in {auth.location('COGNITO_ISSUER')}"
    elif pool_id and region and is_region(region):
        issuer = expected_issuer(region, pool_id)
        issuer_source = (
            f"derived from COGNITO_REGION={region} and COGNITO_USER_POOL_ID={pool_id} in "
            f"{auth.label}"
        )
    else:
        issuer = None
        issuer_source = (
            f"{auth.label} has no COGNITO_ISSUER and no usable COGNITO_REGION + "
            "COGNITO_USER_POOL_ID to derive it from"
        )
    client_id = auth.get("COGNITO_APP_CLIENT_ID")
    client_source = (
        f"COGNITO_APP_CLIENT_ID in {auth.location('COGNITO_APP_CLIENT_ID')}"
        if client_id
        else f"COGNITO_APP_CLIENT_ID is not set in {auth.label}"
    )
    return Expectation(issuer, issuer_source, client_id, client_source, pool_id, region)


def _when(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _span(seconds: float) -> str:
    seconds = abs(int(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {secs} s"
    return f"{secs} s"


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def shown_claims(claims: Mapping[str, Any]) -> dict[str, Any]:
    """The claims that matter for a rejection, times also as readable UTC."""
    shown: dict[str, Any] = {}
    for name in SHOWN_CLAIMS:
        if name in claims:
            shown[name] = claims[name]
            moment = _number(claims[name]) if name in TIME_CLAIMS else None
            if moment is not None:
                try:
                    shown[name] = f"{int(moment)} ({_when(moment)})"
                except (OverflowError, OSError, ValueError):
                    shown[name] = claims[name]
    return shown


def _check_signature(
    token: DecodedToken, jwks: Mapping[str, Any] | None, jwks_problem: str | None
) -> TokenCheck:
    header = token.header
    kid = header.get("kid")
    alg = header.get("alg")
    if alg != "RS256":
        return TokenCheck(
            "signature",
            FAIL,
            f"the token's alg is {alg!r}: Cognito signs with RS256 and services/auth accepts "
            "nothing else",
        )
    if not isinstance(kid, str) or not kid:
        return TokenCheck(
            "signature",
            FAIL,
            "the token's header has no kid, so services/auth cannot pick a signing key: Cognito "
            "always sets one, so this token was not minted by Cognito",
        )
    if jwks is None:
        return TokenCheck(
            "signature", UNVERIFIED, f"signature not verified: {jwks_problem or 'no key set'}"
        )
    raw_keys = jwks.get("keys")
    keys = [k for k in raw_keys if isinstance(k, dict)] if isinstance(raw_keys, list) else []
    key_data = next((k for k in keys if k.get("kid") == kid), None)
    known = ", ".join(str(k.get("kid")) for k in keys) or "none"
    if key_data is None:
        return TokenCheck(
            "signature",
            FAIL,
            f"the token's kid {kid!r} is not in the pool's key set (its kids: {known}): it was "
            "signed by another user pool, or by a key that is not Cognito's",
        )
    from joserfc import jwt
    from joserfc.errors import BadSignatureError, JoseError
    from joserfc.jwk import RSAKey

    try:
        key = RSAKey.import_key(dict(key_data))
    except (JoseError, ValueError, TypeError) as exc:
        return TokenCheck(
            "signature",
            UNVERIFIED,
            f"the pool's key {kid!r} could not be read ({type(exc).__name__}), so the signature "
            "was not verified",
        )
    try:
        jwt.decode(token.compact, key, algorithms=["RS256"])
    except BadSignatureError:
        return TokenCheck(
            "signature",
            FAIL,
            f"the signature does not verify with the pool's key {kid!r}: the token was altered "
            "after Cognito signed it, or it was signed with another key",
        )
    except (JoseError, ValueError) as exc:
        return TokenCheck(
            "signature",
            FAIL,
            f"the token could not be verified with the pool's key {kid!r} ({type(exc).__name__})",
        )
    return TokenCheck("signature", OK, f"RS256 signature verifies with the pool's key {kid!r}")


def _check_issuer(claims: Mapping[str, Any], expected: Expectation) -> TokenCheck:
    iss = claims.get("iss")
    if not isinstance(iss, str) or not iss:
        return TokenCheck("iss", FAIL, "the token has no iss claim")
    if expected.issuer is None:
        return TokenCheck(
            "iss", UNVERIFIED, f"iss is {iss}; not compared: {expected.issuer_source}"
        )
    if iss != expected.issuer:
        hint = ""
        if iss.rstrip("/") == expected.issuer.rstrip("/"):
            hint = " (they differ only by a trailing slash)"
        elif iss.rsplit("/", 1)[-1] != expected.issuer.rsplit("/", 1)[-1]:
            hint = f" (the token comes from pool {iss.rsplit('/', 1)[-1]})"
        return TokenCheck(
            "iss",
            FAIL,
            f"iss is {iss}, but services/auth expects {expected.issuer} "
            f"({expected.issuer_source}){hint}",
        )
    return TokenCheck("iss", OK, f"iss is {iss}, as services/auth expects")


def _check_use(claims: Mapping[str, Any], expected_use: str | None) -> TokenCheck:
    use = claims.get("token_use")
    if use not in TOKEN_USES:
        return TokenCheck(
            "token_use",
            FAIL,
            ("the token has no token_use claim" if use is None else f"token_use is {use!r}")
            + ": services/auth accepts only Cognito ID tokens (id) and access tokens (access)",
        )
    if expected_use and use != expected_use:
        return TokenCheck(
            "token_use",
            FAIL,
            f"this is an {use} token, but services/auth verifies {expected_use} tokens here: send "
            f"the {'IdToken' if expected_use == 'id' else 'AccessToken'} instead",
        )
    return TokenCheck("token_use", OK, f"token_use is {use}")


def _check_audience(claims: Mapping[str, Any], expected: Expectation) -> TokenCheck:
    use = claims.get("token_use")
    claim = "client_id" if use == "access" else "aud"
    value = claims.get(claim)
    values = [str(v) for v in value] if isinstance(value, list) else [str(value)]
    if value is None or value == "" or value == []:
        return TokenCheck("audience", FAIL, f"the {use or 'ID'} token has no {claim} claim")
    shown = ", ".join(values)
    if expected.client_id is None:
        return TokenCheck(
            "audience", UNVERIFIED, f"{claim} is {shown}; not compared: {expected.client_source}"
        )
    if expected.client_id not in values:
        return TokenCheck(
            "audience",
            FAIL,
            f"{claim} is {shown}, but services/auth expects COGNITO_APP_CLIENT_ID="
            f"{expected.client_id} ({expected.client_source}): the token was issued to another "
            "app client",
        )
    return TokenCheck("audience", OK, f"{claim} is {shown} = COGNITO_APP_CLIENT_ID")


def _check_times(claims: Mapping[str, Any], now: float, skew: int) -> TokenCheck:
    exp = _number(claims.get("exp"))
    if exp is None:
        return TokenCheck("expiry", FAIL, "the token has no numeric exp claim, so it never expires")
    if now > exp + skew:
        return TokenCheck(
            "expiry",
            FAIL,
            f"the token expired {_span(now - exp)} ago (exp {_when(exp)}, now {_when(now)}; "
            f"services/auth allows {skew} s of clock skew): get a new one with the refresh "
            "token or by signing in again",
        )
    nbf = _number(claims.get("nbf"))
    if nbf is not None and now + skew < nbf:
        return TokenCheck(
            "expiry",
            FAIL,
            f"the token is not valid before {_when(nbf)}, {_span(nbf - now)} from now: this "
            "machine's clock, or the issuer's, is off",
        )
    iat = _number(claims.get("iat"))
    if iat is not None and now + skew < iat:
        return TokenCheck(
            "expiry",
            FAIL,
            f"the token was issued {_span(iat - now)} in the future (iat {_when(iat)}, now "
            f"{_when(now)}): this machine's clock, or the issuer's, is off",
        )
    return TokenCheck("expiry", OK, f"valid until {_when(exp)} ({_span(exp - now)} left)")


def verify(
    token: DecodedToken,
    expected: Expectation,
    *,
    jwks: Mapping[str, Any] | None,
    jwks_problem: str | None = None,
    now: float | None = None,
    skew: int = DEFAULT_SKEW_SECONDS,
    expected_use: str | None = None,
) -> TokenVerdict:
    """Everything services/auth checks, in its order; `jwks` None leaves the signature
    unverified with `jwks_problem` as the reason."""
    moment = datetime.now(UTC).timestamp() if now is None else now
    claims = token.claims
    checks = (
        _check_signature(token, jwks, jwks_problem),
        _check_issuer(claims, expected),
        _check_use(claims, expected_use),
        _check_audience(claims, expected),
        _check_times(claims, moment, skew),
    )
    header: dict[str, Any] = {
        k: token.header[k] for k in ("alg", "kid", "typ") if k in token.header
    }
    return TokenVerdict(checks, header, shown_claims(claims))


def verdict_dict(verdict: TokenVerdict) -> dict[str, Any]:
    """The JSON form: the verdict, every check, the header and the claims that matter."""
    return {
        "verdict": "rejected"
        if verdict.rejected
        else "accepted"
        if verdict.verified
        else "unverified",
        "summary": verdict.summary,
        "checks": [
            {"name": c.name, "status": c.status, "message": c.message} for c in verdict.checks
        ],
        "header": verdict.header,
        "claims": verdict.claims,
    }
