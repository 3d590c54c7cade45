"""The knowledge base of known failures, shipped as data (failures.json) in this package.

Each entry: the patterns it matches (regexes and plain phrases), the cause in one sentence,
the fix, the checks and user states that confirm or rule it out, and, where it matters, what
AWS documents. Its JSON Schema is cognito_doctor/schemas/knowledge.schema.json; the tests
validate the data against it.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

from cognito_doctor.oncall.knowledge.prefilter import folded, required_words

DEFAULT_CONFIRMS_ON: frozenset[str] = frozenset({"fail", "warn"})


@dataclass(frozen=True)
class Pattern:
    """One regex or phrase of an entry, compiled case-insensitively; it does not count when
    `unless` (a regex) matches the same text (an error text with its own, better entry)."""

    kind: str
    text: str
    weight: int
    compiled: re.Pattern[str]
    unless: re.Pattern[str] | None = None
    # Words one of which every match contains (prefilter.py), for compiled and for unless.
    words: tuple[str, ...] | None = None
    unless_words: tuple[str, ...] | None = None

    def search(self, text: str) -> re.Match[str] | None:
        """The pattern's first hit in `text`, or None (also when `unless` matches)."""
        if (
            self.unless is not None
            and _may_match(self.unless_words, text)
            and self.unless.search(text)
        ):
            return None
        if not _may_match(self.words, text):
            return None
        return self.compiled.search(text)


def _may_match(words: tuple[str, ...] | None, text: str) -> bool:
    """False only when the pattern cannot match: `text` holds none of its required words."""
    if words is None:
        return True
    haystack = folded(text)
    return any(word in haystack for word in words)


def _compiled(pattern: str) -> tuple[re.Pattern[str], tuple[str, ...] | None]:
    return re.compile(pattern, re.IGNORECASE), required_words(pattern, re.IGNORECASE)


@dataclass(frozen=True)
class CheckRef:
    """A check that confirms the cause when its status is in `confirms_on`, and rules it out
    when it ran to another status (unless `rules_out` is False)."""

    id: str
    confirms_on: frozenset[str] = DEFAULT_CONFIRMS_ON
    rules_out: bool = True


@dataclass(frozen=True)
class TextSign:
    """Text whose presence in the input is itself proof of the cause (a log line only the
    cause writes), what that proves, and what to say when the checks of the files disagree."""

    compiled: re.Pattern[str]
    message: str
    when_checks_disagree: str


@dataclass(frozen=True)
class Entry:
    """One known failure."""

    id: str
    title: str
    patterns: tuple[Pattern, ...]
    examples: tuple[str, ...]
    cause: str
    fix: str
    checks: tuple[CheckRef, ...]
    user_confirms: frozenset[str] = frozenset()
    user_rules_out: frozenset[str] = frozenset()
    runbook: str | None = None
    manual_check: str | None = None
    documented: str | None = None
    next: tuple[str, ...] = ()
    text_confirms: TextSign | None = None

    @property
    def needs_user(self) -> bool:
        return bool(self.user_confirms)


def phrase_regex(phrase: str) -> str:
    """A phrase as a regex: words in order, any whitespace between, whole words at the ends."""
    body = r"\s+".join(re.escape(word) for word in phrase.split())
    start = r"\b" if phrase[:1].isalnum() else ""
    end = r"\b" if phrase[-1:].isalnum() else ""
    return f"{start}{body}{end}"


def _pattern(raw: dict[str, Any]) -> Pattern:
    weight = int(raw.get("weight", 1))
    unless, unless_words = _compiled(str(raw["unless"])) if raw.get("unless") else (None, None)
    kind = "regex" if "regex" in raw else "phrase"
    text = str(raw[kind])
    compiled, words = _compiled(text if kind == "regex" else phrase_regex(text))
    return Pattern(kind, text, weight, compiled, unless, words, unless_words)


def _check_ref(raw: str | dict[str, Any]) -> CheckRef:
    if isinstance(raw, str):
        return CheckRef(raw)
    return CheckRef(
        str(raw["id"]),
        frozenset(raw.get("confirms_on") or DEFAULT_CONFIRMS_ON),
        bool(raw.get("rules_out", True)),
    )


def _entry(raw: dict[str, Any]) -> Entry:
    states = raw.get("user_states") or {}
    return Entry(
        id=str(raw["id"]),
        title=str(raw["title"]),
        patterns=tuple(_pattern(p) for p in raw["patterns"]),
        examples=tuple(str(e) for e in raw["examples"]),
        cause=str(raw["cause"]),
        fix=str(raw["fix"]),
        checks=tuple(_check_ref(c) for c in raw.get("checks", [])),
        user_confirms=frozenset(states.get("confirms", [])),
        user_rules_out=frozenset(states.get("rules_out", [])),
        runbook=raw.get("runbook"),
        manual_check=raw.get("manual_check"),
        documented=raw.get("documented"),
        next=tuple(raw.get("next", [])),
        text_confirms=_text_sign(raw.get("text_confirms")),
    )


def _text_sign(raw: dict[str, Any] | None) -> TextSign | None:
    if not raw:
        return None
    return TextSign(
        re.compile(str(raw["regex"]), re.IGNORECASE),
        str(raw["message"]),
        str(raw["when_checks_disagree"]),
    )


def knowledge_data() -> dict[str, Any]:
    """failures.json as shipped in the package."""
    text = resources.files(__name__).joinpath("failures.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def knowledge_schema() -> dict[str, Any]:
    """The JSON Schema of failures.json."""
    text = (
        resources.files("cognito_doctor")
        .joinpath("schemas/knowledge.schema.json")
        .read_text("utf-8")
    )
    schema: dict[str, Any] = json.loads(text)
    return schema


@functools.cache
def load_knowledge() -> tuple[Entry, ...]:
    """Every entry, in the file's order (which breaks ties between equally good matches)."""
    return tuple(_entry(raw) for raw in knowledge_data()["entries"])


__all__ = [
    "CheckRef",
    "Entry",
    "Pattern",
    "TextSign",
    "knowledge_data",
    "knowledge_schema",
    "load_knowledge",
    "phrase_regex",
]
