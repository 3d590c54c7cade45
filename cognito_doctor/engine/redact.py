"""Scrubbing secrets out of everything a run reports: one redactor that knows every secret the
process has seen (the vault), in every form a renderer, an exception or a library can print it,
plus the patterns of secrets nobody told it about (JWTs, access key ids, `KEY=VALUE`)."""

from __future__ import annotations

import base64
import json
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import quote, quote_plus

from cognito_doctor.engine.model import Change, Outcome

MASK = "[redacted]"
# Short values ("x", "true") would mask ordinary words; real secrets are long.
MIN_SECRET_LENGTH = 8
# A piece this long of a secret's printed form is masked too (a truncated or wrapped secret).
MIN_PIECE = 12

# Each pattern starts only where a run of its characters starts (the look-behinds), so a long
# run is scanned once, not once per position: linear time on any input.
_JWT = re.compile(r"(?<![\w-])-{0,2}eyJ[\w-]*+\.[\w-]++\.[\w-]*+")
_KEY_ID = re.compile(r"\b(?:AKIA|ASIA)[A-Z0-9]{12}([A-Z0-9]{4})\b")
# KEY=VALUE / KEY: VALUE / "key": "value" with bounded parts, so the scan stays linear.
_ASSIGNMENT = re.compile(
    # A key never follows a colon: inside an ARN (arn:aws:secretsmanager:eu-west-2:…) the
    # service name is not a setting; nor after a slash (a path segment).
    r"""(?<![\w.:/-])(?P<key>[A-Za-z][\w.-]{0,63})(?P<sep>["']?\s{0,3}[=:]\s{0,3}["']?)"""
    # The value must end there: "Stop: AWS_SECRET_ACCESS_KEY=…" is not the assignment
    # Stop = "AWS_SECRET_ACCESS_KEY", which would hide the real one from the scan.
    r"""(?P<value>[^\s"',;&<>\[\]{}()=:]{8}[^\s"',;&<>\[\]{}()=:]*+={0,2}+)"""
    r"""(?![^\s"',;&<>\[\]{}():])"""
)
_SECRET_WORDS = ("secret", "token", "password", "passwd", "credential", "privatekey", "apikey")
_NOT_SECRET_KEYS = frozenset({"tokenuse", "tokentype", "tokenkind", "secretname", "secretsmanager"})


def is_secret_name(key: str) -> bool:
    """Whether a setting's name says it holds a secret (AWS_SESSION_TOKEN, clientSecret, …)."""
    folded = re.sub(r"[\W_]", "", key.lower())
    if folded in _NOT_SECRET_KEYS or folded.endswith(("url", "uri", "arn", "id", "ttl")):
        return False
    return any(word in folded for word in _SECRET_WORDS)


def printed_forms(secret: str) -> set[str]:
    """Every way `secret` can appear in output: raw, repr/escaped, JSON-escaped, URL-encoded,
    base64, each of those escaped again once, and each line of a multi-line secret."""
    forms = {secret, *(line for line in re.split(r"[\r\n]+", secret))}
    for _ in range(2):
        for form in list(forms):
            forms.update(_escapes(form))
    forms.update(_base64_pieces(secret))
    return {form for form in forms if len(form) >= MIN_SECRET_LENGTH}


def _escapes(form: str) -> Iterable[str]:
    yield repr(form)[1:-1]
    yield form.encode("utf-8", "backslashreplace").decode("unicode_escape", "ignore")
    yield str(form.encode("utf-8", "replace"))[2:-1]
    yield json.dumps(form)[1:-1]
    yield json.dumps(form, ensure_ascii=False)[1:-1]
    yield quote(form, safe="")
    yield quote(form)
    yield quote_plus(form)
    yield form.replace("\n", "%0A").replace("\r", "%0D")


def _base64_pieces(secret: str) -> Iterable[str]:
    """The part of the secret's base64 that is the same wherever it sits in a longer string:
    one per alignment, without the characters the neighbouring bytes change."""
    raw = secret.encode("utf-8", "replace")
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + raw).decode()
        stable = encoded[4 if shift else 0 : len(encoded) - 4]
        yield stable
        yield stable.replace("+", "-").replace("/", "_")


class Vault:
    """The secrets this process has seen, from any thread (every run adds to it)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._secrets: set[str] = set()
        self._forms: dict[str, None] = {}

    def remember(self, secrets: Iterable[str | None]) -> None:
        """Add secrets to the vault (short or empty values are ignored)."""
        new = [s for s in secrets if s and len(s.strip()) >= MIN_SECRET_LENGTH]
        with self._lock:
            for secret in new:
                if secret in self._secrets:
                    continue
                self._secrets.add(secret)
                for form in printed_forms(secret):
                    self._forms[form] = None

    def forms(self) -> list[str]:
        """Every printed form of every known secret."""
        with self._lock:
            return list(self._forms)

    def forget_all(self) -> None:
        """Empty the vault (tests that must start clean)."""
        with self._lock:
            self._secrets.clear()
            self._forms.clear()


VAULT = Vault()


def remember(*secrets: str | None) -> None:
    """Tell the process-wide redactor about secrets (the operator's keys, a token, …)."""
    VAULT.remember(secrets)


def scrub(text: str, extra: Iterable[str] = ()) -> str:
    """`text` with the secret patterns masked, then every known secret (and `extra`) in each
    printed form, whole or as a piece of MIN_PIECE or more characters at its start or end."""
    forms = VAULT.forms()
    for secret in extra:
        if len(secret) >= MIN_SECRET_LENGTH:
            forms.extend(printed_forms(secret))
    # Shapes first: every token a pool signs starts with the same header, so masking a known
    # token's prefix first would cut `eyJ…` off another JWT and hide it from the pattern.
    return _mask_forms(mask_patterns(text), forms)


def mask_patterns(text: str) -> str:
    """Secrets found by their shape: JWTs, access key ids beyond their last 4, `KEY=VALUE`."""
    if "eyJ" in text:
        text = _JWT.sub(MASK, text)
    if "IA" in text:
        text = _KEY_ID.sub(lambda m: f"…{m.group(1)}", text)
    if "=" in text or ":" in text:
        text = _ASSIGNMENT.sub(_mask_assignment, text)
    return text


# A word that looks like a credential (20+ characters of base64's alphabet, letters and
# digits both): masked where a user's own arguments are echoed (click's usage errors), since
# a secret pasted in the wrong place is not yet known to the vault.
_CREDENTIAL_LIKE = re.compile(r"(?<![\w+/=.:-])[A-Za-z0-9+/]{20,4096}+={0,2}+(?![\w+/=.:-])")


def mask_credential_like(text: str) -> str:
    """`text` with every credential-looking word masked (for echoes of the command line)."""

    def mask(match: re.Match[str]) -> str:
        word = match.group(0)
        mixed = any(c.isdigit() for c in word) and any(c.isalpha() for c in word)
        return MASK if mixed else word

    return _CREDENTIAL_LIKE.sub(mask, text)


def _mask_assignment(match: re.Match[str]) -> str:
    value = match.group("value")
    if (
        not is_secret_name(match.group("key"))
        or value.startswith(("$", "…", MASK))
        or not any(c.isdigit() for c in value)
    ):
        return match.group(0)
    return f"{match.group('key')}{match.group('sep')}{MASK}"


def _mask_forms(text: str, forms: Iterable[str]) -> str:
    spans: list[tuple[int, int]] = []
    for form in forms:
        spans.extend(_spans_of(text, form))
    if not spans:
        return text
    spans.sort()
    merged = [spans[0]]
    for start, end in spans[1:]:
        if start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    pieces, last = [], 0
    for start, end in merged:
        pieces.append(text[last:start])
        pieces.append(MASK)
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def _spans_of(text: str, form: str) -> Iterable[tuple[int, int]]:
    """Where `form` occurs, whole or cut: a prefix or a suffix of MIN_PIECE+ characters."""
    piece = min(MIN_PIECE, len(form))
    head, tail = form[:piece], form[-piece:]
    at = text.find(head)
    while at != -1:
        end = at + piece
        while end < len(text) and end - at < len(form) and text[end] == form[end - at]:
            end += 1
        yield at, end
        at = text.find(head, end)
    at = text.find(tail)
    while at != -1:
        start, end = at, at + piece
        offset = len(form) - piece
        while start > 0 and offset > 0 and text[start - 1] == form[offset - 1]:
            start -= 1
            offset -= 1
        yield start, end
        at = text.find(tail, end)


class Redactor:
    """Masks the run's known secrets (and the vault's) in an outcome's text and evidence."""

    def __init__(self, secrets: Iterable[str]) -> None:
        self._secrets = tuple({s for s in secrets if len(s) >= MIN_SECRET_LENGTH})
        VAULT.remember(self._secrets)

    def text(self, value: str) -> str:
        return scrub(value, self._secrets)

    def value(self, value: Any) -> Any:
        if value is None or isinstance(value, bool | int | float):
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {self.text(str(k)): self.value(v) for k, v in value.items()}
        if isinstance(value, list | tuple | set | frozenset):
            return [self.value(v) for v in value]
        # Anything else (bytes, a dataclass holding a secret) is reported as its masked text.
        return self.text(str(value))

    def outcome(self, outcome: Outcome) -> Outcome:
        return replace(
            outcome,
            message=self.text(outcome.message),
            fix=self.text(outcome.fix),
            fix_command=self.text(outcome.fix_command) if outcome.fix_command else None,
            evidence=self.value(dict(outcome.evidence)),
            change=self.change(outcome.change),
        )

    def change(self, change: Change | None) -> Change | None:
        """The change with every known secret masked (a plan never carries one)."""
        if change is None:
            return None
        return Change(
            change.resource,
            self.value(dict(change.members)),
            tuple(self.text(t) for t in change.targets),
        )
