"""`cognito-doctor token JWT`: would services/auth accept this Cognito token, and if not, why.

services/auth verifies tokens as aws-jwt-verify 5's CognitoJwtVerifier does by default (its
`graceSeconds` is 0): the claim types, the RS256 signature with the key its `kid` names in the
pool's JWKS, `iss` one of the pool's two issuers (ORIGINAL or UPDATED format; COGNITO_ISSUER
alone when set), `token_use` `id` or `access`, the ID token's `aud` (or the access token's
`client_id`) COGNITO_APP_CLIENT_ID, `exp` and `nbf` against the clock. This module decodes and
verifies and says which of those fails. tests/oracles/test_aws_jwt_verify.py holds it to the
real package. A token is a credential: nothing here returns or prints it, only its header and
the claims that matter.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cognito_doctor.oncall.token_claims import (
    FAIL,
    OK,
    SHOWN_CLAIMS,
    TIME_CLAIMS,
    TOKEN_USES,
    UNVERIFIED,
    WARN,
    DecodedToken,
    Expectation,
    TokenCheck,
    check_audience,
    check_clock,
    check_issuer,
    check_signature,
    check_times,
    check_types,
    check_use,
    shown_claims,
)
from cognito_doctor.platform.envfiles import EnvFile
from cognito_doctor.platform.files import check_nesting
from cognito_doctor.platform.regions import expected_issuer, is_region, pool_issuers

# aws-jwt-verify's graceSeconds defaults to 0.
DEFAULT_SKEW_SECONDS = 0
# Cognito's tokens are a few kB (an ID token with many groups and attributes, tens of kB);
# past this the input is not a token a pool issued, and saying so beats parsing it.
MAX_TOKEN_CHARACTERS = 1_000_000
_B64URL = re.compile(r"^[A-Za-z0-9_-]*$")
_QUOTE_CHARACTERS = "\"'"


class TokenInputError(ValueError):
    """The input is not a token that can be decoded (empty, not a JWT, a refresh token)."""


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
        return all(c.status in (OK, WARN) for c in self.checks)

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
        warnings = [c.name for c in self.checks if c.status == WARN]
        return (
            "services/auth would accept this token: signature, iss, token_use, audience and "
            "expiry all check out"
            + (f" (see the warning(s): {', '.join(warnings)})" if warnings else "")
        )


def clean_input(raw: str) -> tuple[str, tuple[str, ...]]:
    """The token inside `raw`, and each thing removed to get it (whitespace, quotes, a
    `Bearer ` prefix): services/auth sees the input as sent, and aws-jwt-verify rejects all of
    them unless the service strips them first."""
    text, removed = raw, []
    for _ in range(3):  # `"Bearer x"`, ` 'x' `: each layer at most once
        if text != text.strip():
            removed.append("whitespace around it")
            text = text.strip()
        if len(text) >= 2 and text[0] == text[-1] and text[0] in _QUOTE_CHARACTERS:
            removed.append(f"{text[0]} quotes around it")
            text = text[1:-1]
        if text[:7].lower() == "bearer ":
            removed.append(f"a {text[:7]!r} prefix")
            text = text[7:]
    return text, tuple(dict.fromkeys(removed))


def _segment(part: str, index: int) -> dict[str, Any]:
    """One base64url JSON object (header or payload); raises TokenInputError for anything else."""
    what = "header" if index == 1 else "payload"
    if not part or not _B64URL.match(part):
        why = (
            "it is padded with '=': Cognito never pads"
            if part.rstrip("=") != part
            else "it has characters a JWT cannot hold"
        )
        raise TokenInputError(f"not a JWT: part {index} ({what}) is not base64url ({why})")
    try:
        data = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        text = data.decode("utf-8")
        check_nesting(text)
        value = json.loads(text, parse_constant=_not_json)
    except (ValueError, binascii.Error, UnicodeError, RecursionError) as exc:
        raise TokenInputError(
            f"not a JWT: its {what} is not base64url-encoded JSON ({type(exc).__name__})"
        ) from None
    if not isinstance(value, dict):
        raise TokenInputError(f"not a JWT: its {what} is JSON but not an object")
    return value


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")


def decode(raw: str) -> DecodedToken:
    """Decode a compact JWT without trusting it. Raises TokenInputError for anything else."""
    text, cleanup = clean_input(raw)
    if not text:
        raise TokenInputError("no token given (the input is empty)")
    if len(text) > MAX_TOKEN_CHARACTERS:
        raise TokenInputError(
            f"the input is {len(text)} characters, over the {MAX_TOKEN_CHARACTERS} the doctor "
            "reads as a token: a Cognito token is a few kB"
        )
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
    header, claims = _segment(parts[0], 1), _segment(parts[1], 2)
    if not _B64URL.match(parts[2]) or len(parts[2]) % 4 == 1:
        raise TokenInputError("not a JWT: the signature part is not base64url")
    return DecodedToken(header, claims, text, cleanup)


def expectation_from_env(auth: EnvFile, region_override: str | None = None) -> Expectation:
    """What services/auth expects, from its `.env` (COGNITO_ISSUER wins over the derived one)."""
    if not auth.usable:
        reason = f"{auth.problem}"
        return Expectation(None, reason, None, reason)
    pool_id = auth.get("COGNITO_USER_POOL_ID")
    region = region_override or auth.get("COGNITO_REGION")
    configured = auth.get("COGNITO_ISSUER")
    issuers: tuple[str, ...] = ()
    if configured:
        issuer: str | None = configured
        issuers = (configured,)
        issuer_source = f"COGNITO_ISSUER in {auth.location('COGNITO_ISSUER')}"
    elif pool_id and region and is_region(region):
        issuer = expected_issuer(region, pool_id)
        issuers = tuple(pool_issuers(region, pool_id).values())
        issuer_source = (
            f"the pool's two issuer formats, from COGNITO_REGION={region} and "
            f"COGNITO_USER_POOL_ID={pool_id} in {auth.label}"
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
    return Expectation(issuer, issuer_source, client_id, client_source, pool_id, region, issuers)


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
    first: list[TokenCheck] = []
    if token.cleanup:
        first.append(
            TokenCheck(
                "input",
                WARN,
                f"removed {', '.join(token.cleanup)} before checking: services/auth would see "
                "the input as sent, and aws-jwt-verify rejects it unless the service strips "
                "them first (look at what the client puts in the Authorization header)",
            )
        )
    wrong_types = check_types(claims)
    if wrong_types is not None:
        first.append(wrong_types)
    clock = check_clock(claims, moment) if wrong_types is None else None
    checks = (
        *first,
        check_signature(token, jwks, jwks_problem),
        check_issuer(claims, expected),
        check_use(claims, expected_use),
        check_audience(claims, expected),
        check_times(claims, moment, skew),
        *((clock,) if clock else ()),
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


__all__ = [
    "DEFAULT_SKEW_SECONDS",
    "FAIL",
    "OK",
    "SHOWN_CLAIMS",
    "TIME_CLAIMS",
    "TOKEN_USES",
    "UNVERIFIED",
    "WARN",
    "DecodedToken",
    "Expectation",
    "TokenCheck",
    "TokenInputError",
    "TokenVerdict",
    "clean_input",
    "decode",
    "expectation_from_env",
    "shown_claims",
    "verdict_dict",
    "verify",
]
