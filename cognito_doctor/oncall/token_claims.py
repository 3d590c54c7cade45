"""Judging a token's signature and claims: each thing services/auth verifies, one check each.

Also which claims are shown to the person (and how), since a token itself is never shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


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


TOKEN_USES = ("id", "access")
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


@dataclass(frozen=True)
class TokenCheck:
    """One thing services/auth verifies: ok, fail, or unverified (and why)."""

    name: str
    status: str
    message: str


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


def check_signature(
    token: DecodedToken, jwks: Mapping[str, Any] | None, jwks_problem: str | None
) -> TokenCheck:
    """The RS256 signature, verified with the key the token's kid names in `jwks`."""
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


def check_issuer(claims: Mapping[str, Any], expected: Expectation) -> TokenCheck:
    """`iss` against the issuer services/auth expects."""
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


def check_use(claims: Mapping[str, Any], expected_use: str | None) -> TokenCheck:
    """`token_use`: id or access, and the kind `expected_use` names if given."""
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


def check_audience(claims: Mapping[str, Any], expected: Expectation) -> TokenCheck:
    """The ID token's `aud` (the access token's `client_id`) against COGNITO_APP_CLIENT_ID."""
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


def check_times(claims: Mapping[str, Any], now: float, skew: int) -> TokenCheck:
    """`exp`, `nbf` and `iat` against `now`, allowing `skew` seconds."""
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
