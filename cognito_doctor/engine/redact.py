"""Scrubbing known secret values out of everything a run reports, as a last line of defence."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from cognito_doctor.engine.model import Change, Outcome

MASK = "[redacted]"
# Short values ("x", "true") would mask ordinary words; real secrets are long.
MIN_SECRET_LENGTH = 8


class Redactor:
    """Replaces every occurrence of a known secret in an outcome's text and evidence."""

    def __init__(self, secrets: Iterable[str]) -> None:
        # Longest first, so a secret containing another is masked whole.
        self._secrets = sorted(
            {s for s in secrets if len(s) >= MIN_SECRET_LENGTH}, key=len, reverse=True
        )

    def text(self, value: str) -> str:
        for secret in self._secrets:
            if secret in value:
                value = value.replace(secret, MASK)
        return value

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
        if not self._secrets:
            return outcome
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
