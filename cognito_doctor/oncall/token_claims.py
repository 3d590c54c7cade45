"""Judging a token's signature and claims as aws-jwt-verify 5's CognitoJwtVerifier does, one
check each, and which claims are shown to the person (a token itself is never shown).

aws-jwt-verify's rules (dist/cjs/jwt.js, jwt-verifier.js, jwk.js, cognito-verifier.js): claim
types first (`exp`, `nbf`, `iat` finite numbers; `iss`, `sub`, `scope`, `jti` strings; `aud` a
string or strings), the JWK picked by `kid`, its `use` `sig` and its `alg` the header's, the
signature, then `exp + graceSeconds < now` rejects, `nbf - graceSeconds > now` rejects,
`iss` one of the pool's two issuers, `token_use` `id` or `access` (and the one asked for),
and the ID token's `aud` (a string) or the access token's `client_id` the app client.
Where the doctor is stricter it says so in the message: Cognito always sets `exp`, signs with
RS256, never pads segments and sets no `crit`; `iat` is checked only as a clock warning.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True)
class DecodedToken:
    """A JWT's header and claims, decoded but not yet trusted, and how the input was cleaned."""

    header: dict[str, Any]
    claims: dict[str, Any]
    compact: str = field(repr=False)
    cleanup: tuple[str, ...] = ()

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
    # Every issuer accepted: both of the pool's formats, or COGNITO_ISSUER alone when set.
    issuers: tuple[str, ...] = ()


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
_NUMERIC_CLAIMS = ("exp", "nbf", "iat")
_STRING_CLAIMS = ("iss", "sub", "scope", "jti")
_SHOWN_LENGTH = 200

OK = "ok"
FAIL = "fail"
UNVERIFIED = "unverified"
WARN = "warning"


@dataclass(frozen=True)
class TokenCheck:
    """One thing services/auth verifies: ok, fail, unverified (and why), or a warning."""

    name: str
    status: str
    message: str


def _when(timestamp: float) -> str:
    try:
        return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    except (OverflowError, OSError, ValueError):
        return f"{timestamp:.0f} s after 1970 (beyond what a calendar shows)"


def _span(seconds: float) -> str:
    """A non-negative duration in words (callers say whether it is ago or ahead)."""
    seconds = int(max(seconds, 0))
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


def number(value: Any) -> float | None:
    """A JSON number as a finite float, else None (bools, strings, NaN, ±inf, 10**400)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        result = float(value)
    except OverflowError:
        return None
    return result if math.isfinite(result) else None


def _shown(value: Any) -> Any:
    text = value if isinstance(value, str) else repr(value)
    if len(text) > _SHOWN_LENGTH:
        return f"{text[:_SHOWN_LENGTH]}… ({len(text)} characters)"
    return value


def shown_claims(claims: Mapping[str, Any]) -> dict[str, Any]:
    """The claims that matter for a rejection, times also as readable UTC, long values cut."""
    shown: dict[str, Any] = {}
    for name in SHOWN_CLAIMS:
        if name in claims:
            moment = number(claims[name]) if name in TIME_CLAIMS else None
            shown[name] = (
                f"{int(moment)} ({_when(moment)})" if moment is not None else _shown(claims[name])
            )
    return shown


def check_types(claims: Mapping[str, Any]) -> TokenCheck | None:
    """A failure when a claim has a type aws-jwt-verify refuses to parse, else None."""
    wrong = [n for n in _NUMERIC_CLAIMS if n in claims and number(claims[n]) is None]
    wrong += [n for n in _STRING_CLAIMS if n in claims and not isinstance(claims[n], str)]
    aud = claims.get("aud")
    if "aud" in claims and not (
        isinstance(aud, str) or (isinstance(aud, list) and all(isinstance(a, str) for a in aud))
    ):
        wrong.append("aud")
    if not wrong:
        return None
    return TokenCheck(
        "claims",
        FAIL,
        f"claim(s) of the wrong type: {', '.join(wrong)} (exp, nbf and iat must be finite "
        "numbers; iss, sub, scope and jti strings; aud a string or strings): aws-jwt-verify "
        "refuses to parse the token",
    )


def check_header(header: Mapping[str, Any]) -> TokenCheck | None:
    """A failure for a header Cognito never writes (alg other than RS256, no kid, crit)."""
    alg, kid = header.get("alg"), header.get("kid")
    if alg != "RS256":
        return TokenCheck(
            "signature",
            FAIL,
            f"the token's alg is {_shown(alg)!r}: Cognito signs with RS256 and its keys carry "
            "alg RS256, so services/auth accepts nothing else",
        )
    if not isinstance(kid, str) or not kid:
        return TokenCheck(
            "signature",
            FAIL,
            "the token's header has no kid (or not a string), so services/auth cannot pick a "
            "signing key: Cognito always sets one",
        )
    if "crit" in header:
        return TokenCheck(
            "signature",
            FAIL,
            "the header has crit: RFC 7515 (4.1.11) says to reject a token whose critical "
            "extensions are not understood, and Cognito sets none (the doctor is stricter here "
            "than aws-jwt-verify, which ignores crit)",
        )
    return None


def pick_key(kid: str, jwks: Mapping[str, Any], alg: str) -> dict[str, Any] | TokenCheck:
    """The JWK `kid` names, if aws-jwt-verify would use it for `alg`; else why not (a fail)."""
    raw_keys = jwks.get("keys")
    keys = [k for k in raw_keys if isinstance(k, dict)] if isinstance(raw_keys, list) else []
    key_data = next((k for k in keys if k.get("kid") == kid), None)
    if key_data is None:
        known = ", ".join(str(_shown(k.get("kid"))) for k in keys) or "none"
        return TokenCheck(
            "signature",
            FAIL,
            f"the token's kid {_shown(kid)!r} is not in the pool's key set (its kids: {known}): "
            "it was signed by another user pool, or by a key that is not Cognito's",
        )
    problem = None
    if key_data.get("kty") != "RSA":
        problem = f"is a {key_data.get('kty')!r} key, not RSA"
    elif key_data.get("use") not in (None, "sig"):
        problem = f"has use {key_data.get('use')!r}, not sig"
    elif key_data.get("alg") not in (None, alg):
        problem = f"is for alg {key_data.get('alg')!r}, not the token's {alg}"
    if problem:
        return TokenCheck(
            "signature", FAIL, f"the pool's key {kid!r} {problem}, so it cannot verify the token"
        )
    return key_data


def check_signature(
    token: DecodedToken, jwks: Mapping[str, Any] | None, jwks_problem: str | None
) -> TokenCheck:
    """The RS256 signature, verified with the key the token's kid names in `jwks`. A key that
    cannot be used means reject: never "nothing wrong found" for a token no key verified."""
    bad_header = check_header(token.header)
    if bad_header is not None:
        return bad_header
    kid = str(token.header["kid"])
    if jwks is None:
        return TokenCheck(
            "signature", UNVERIFIED, f"signature not verified: {jwks_problem or 'no key set'}"
        )
    key_data = pick_key(kid, jwks, "RS256")
    if isinstance(key_data, TokenCheck):
        return key_data
    from joserfc.errors import JoseError
    from joserfc.jwk import RSAKey
    from joserfc.jws import JWSRegistry
    from joserfc.util import urlsafe_b64decode

    head, payload, signature = token.compact.split(".")
    try:
        key = RSAKey.import_key(dict(key_data))
        valid = (
            JWSRegistry()
            .get_alg("RS256")
            .verify(f"{head}.{payload}".encode("ascii"), urlsafe_b64decode(signature.encode()), key)
        )
    except (JoseError, ValueError, TypeError, ArithmeticError) as exc:
        return TokenCheck(
            "signature",
            FAIL,
            f"the pool's key {kid!r} could not be used ({type(exc).__name__}), so nothing "
            "verifies this token: services/auth rejects it",
        )
    if not valid:
        return TokenCheck(
            "signature",
            FAIL,
            f"the signature does not verify with the pool's key {kid!r}: the token was altered "
            "after Cognito signed it, or it was signed with another key",
        )
    return TokenCheck("signature", OK, f"RS256 signature verifies with the pool's key {kid!r}")


def check_issuer(claims: Mapping[str, Any], expected: Expectation) -> TokenCheck:
    """`iss` against the issuers services/auth accepts (both of the pool's formats)."""
    iss = claims.get("iss")
    if not isinstance(iss, str) or not iss:
        return TokenCheck("iss", FAIL, "the token has no iss claim")
    accepted = expected.issuers or ((expected.issuer,) if expected.issuer else ())
    if not accepted:
        return TokenCheck(
            "iss", UNVERIFIED, f"iss is {_shown(iss)}; not compared: {expected.issuer_source}"
        )
    if iss not in accepted:
        hint = ""
        if iss.rstrip("/") in {a.rstrip("/") for a in accepted}:
            hint = " (they differ only by a trailing slash)"
        elif iss.rsplit("/", 1)[-1] != accepted[0].rsplit("/", 1)[-1]:
            hint = f" (the token comes from pool {_shown(iss.rsplit('/', 1)[-1])})"
        return TokenCheck(
            "iss",
            FAIL,
            f"iss is {_shown(iss)}, but services/auth accepts {' or '.join(accepted)} "
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
            ("the token has no token_use claim" if use is None else f"token_use is {_shown(use)!r}")
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
    """The ID token's `aud` (the access token's `client_id`), a string, against
    COGNITO_APP_CLIENT_ID."""
    use = claims.get("token_use")
    claim = "client_id" if use == "access" else "aud"
    value = claims.get(claim)
    if value is None or value == "" or value == []:
        return TokenCheck("audience", FAIL, f"the {use or 'ID'} token has no {claim} claim")
    if not isinstance(value, str):
        return TokenCheck(
            "audience",
            FAIL,
            f"{claim} is not a string ({_shown(value)}): Cognito writes one client id, and "
            "aws-jwt-verify rejects anything else",
        )
    if expected.client_id is None:
        return TokenCheck(
            "audience",
            UNVERIFIED,
            f"{claim} is {_shown(value)}; not compared: {expected.client_source}",
        )
    if value != expected.client_id:
        return TokenCheck(
            "audience",
            FAIL,
            f"{claim} is {_shown(value)}, but services/auth expects COGNITO_APP_CLIENT_ID="
            f"{expected.client_id} ({expected.client_source}): the token was issued to another "
            "app client",
        )
    return TokenCheck("audience", OK, f"{claim} is {value} = COGNITO_APP_CLIENT_ID")


def check_times(claims: Mapping[str, Any], now: float, skew: int) -> TokenCheck:
    """`exp` and `nbf` against `now` as aws-jwt-verify compares them, `skew` as graceSeconds."""
    exp = number(claims.get("exp"))
    if exp is None:
        return TokenCheck(
            "expiry",
            FAIL,
            "the token has no numeric exp claim, so it never expires: Cognito always sets exp "
            "(the doctor is stricter here than aws-jwt-verify, which skips a missing exp)",
        )
    allowed = f"services/auth allows {skew} s of clock skew"
    if exp + skew < now:
        return TokenCheck(
            "expiry",
            FAIL,
            f"the token expired {_span(now - exp)} ago (exp {_when(exp)}, now {_when(now)}; "
            f"{allowed}): get a new one with the refresh token or by signing in again",
        )
    nbf = number(claims.get("nbf"))
    if nbf is not None and nbf - skew > now:
        return TokenCheck(
            "expiry",
            FAIL,
            f"the token is not valid before {_when(nbf)}, {_span(nbf - now)} from now "
            f"({allowed}): this machine's clock, or the issuer's, is off",
        )
    if exp < now:
        return TokenCheck(
            "expiry",
            OK,
            f"expired {_span(now - exp)} ago (exp {_when(exp)}), within the {skew} s of skew "
            "services/auth allows",
        )
    return TokenCheck("expiry", OK, f"valid until {_when(exp)} ({_span(exp - now)} left)")


def check_clock(claims: Mapping[str, Any], now: float) -> TokenCheck | None:
    """A warning when `iat` is in the future: a clock is off (neither AWS's verification
    steps nor RFC 7519 reject a token for it, and aws-jwt-verify does not)."""
    iat = number(claims.get("iat"))
    if iat is None or iat <= now:
        return None
    return TokenCheck(
        "clock",
        WARN,
        f"the token was issued {_span(iat - now)} in the future (iat {_when(iat)}, now "
        f"{_when(now)}): this machine's clock, or the issuer's, is off",
    )
