"""The knowledge base's word prefilter never hides a match: wherever a pattern matches, the
text holds one of the words the prefilter requires (checked on every entry's examples, in
every case form `re.IGNORECASE` accepts)."""

from __future__ import annotations

import re

import pytest

from cognito_doctor.oncall.knowledge import Pattern, load_knowledge
from cognito_doctor.oncall.knowledge.prefilter import folded, required_words

# Characters IGNORECASE matches to an ASCII letter, other than that letter's two cases.
_ODD_CASES = {"s": "\u017f", "i": "\u0131", "k": "\u212a"}


def _case_forms(text: str) -> list[str]:
    odd = "".join(_ODD_CASES.get(c.lower(), c) for c in text)
    return [text, text.upper(), text.lower(), text.swapcase(), odd, text.replace("I", "\u0130")]


def _all_patterns() -> list[tuple[str, Pattern]]:
    return [(e.id, p) for e in load_knowledge() for p in e.patterns]


def _texts() -> list[str]:
    return [form for e in load_knowledge() for x in e.examples for form in _case_forms(x)]


def test_every_knowledge_pattern_has_required_words() -> None:
    # Without words the pattern runs over all 5 MB of a log, however unrelated.
    assert [p.text for _, p in _all_patterns() if p.words is None] == []


@pytest.mark.parametrize(("entry", "pattern"), _all_patterns(), ids=lambda v: str(v)[:40])
def test_prefilter_keeps_every_match(entry: str, pattern: Pattern) -> None:
    texts = _texts()
    matched = [t for t in texts if pattern.compiled.search(t)]
    assert pattern.words is not None
    for text in matched:
        assert any(w in folded(text) for w in pattern.words), (entry, pattern.text, text)
        assert pattern.search(text) is not None or (
            pattern.unless is not None and pattern.unless.search(text)
        )


def test_case_folding_matches_ignorecase() -> None:
    # 'ſ' (long s) matches s, 'ı' and 'İ' match i, 'K' (Kelvin) matches k under IGNORECASE.
    words = required_words(r"\bSECRET_HASH\b", re.IGNORECASE)
    assert words == ("secret_hash",)
    for text in ("\u017fecret_ha\u017fh", "SECRET_HASH", "secret_hash"):
        assert re.search(r"\bSECRET_HASH\b", text, re.IGNORECASE)
        assert "secret_hash" in folded(text)
    for text in ("\u212aid", "k\u0130d", "k\u0131d"):
        assert re.search("kid", text, re.IGNORECASE) and "kid" in folded(text)


def test_alternations_need_one_word_of_each_branch() -> None:
    words = required_words(r"\bfoo(?:bar)?\b|baz\s+qux", re.IGNORECASE)
    assert words is not None and set(words) in ({"foo", "qux"}, {"foo", "baz"})
    # Optional parts require nothing: a pattern made only of them has no words.
    assert required_words(r"(?:abc)?\d+", re.IGNORECASE) is None
