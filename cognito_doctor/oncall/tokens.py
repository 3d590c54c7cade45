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
    DecodedToken,
    Expectation,
    TokenCheck,
    check_audience,
    check_issuer,
    check_signature,
    check_times,
    check_use,
    shown_claims,
)
from cognito_doctor.platform.envfiles import EnvFile
from cognito_doctor.platform.regions import expected_issuer, is_region

DEFAULT_SKEW_SECONDS = 60
_B64URL = re.compile(r"^[A-Za-z0-9_-]*$")


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
        check_signature(token, jwks, jwks_problem),
        check_issuer(claims, expected),
        check_use(claims, expected_use),
        check_audience(claims, expected),
        check_times(claims, moment, skew),
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
    "DecodedToken",
    "Expectation",
    "TokenCheck",
    "TokenInputError",
    "TokenVerdict",
    "decode",
    "expectation_from_env",
    "shown_claims",
    "verdict_dict",
    "verify",
]
