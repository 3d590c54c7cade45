"""A cheap test that a knowledge-base regex cannot match, before running it over 5 MB.

Most entries' patterns need a word (`AccessDenied`, `SECRET_HASH`, `not authorized to
perform`); `re` finds no literal prefix in a case-insensitive pattern, so it tries the whole
pattern at every position, which for ~150 patterns over a 5 MB log is most of triage's time.
`required_words` reads from the parsed pattern the words any match must contain (one of
several, for an alternation); `folded` is the text as case-insensitive matching sees it, so
`any(word in folded(text) for word in words)` is false only when the pattern cannot match.
"""

from __future__ import annotations

import functools
from re import _parser as sre  # type: ignore[attr-defined]
from typing import Any

# Words shorter than this find too much to be worth the check.
MIN_WORD = 3
# What IGNORECASE matches to an ASCII letter besides the letter's cases (and Kelvin's K,
# which str.lower() already makes a k): computed over every code point.
_OTHER_CASES = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s"})


@functools.lru_cache(maxsize=4)
def folded(text: str) -> str:
    """`text` lower-cased the way `re.IGNORECASE` compares it, for ASCII words."""
    return text.translate(_OTHER_CASES).lower()


def required_words(pattern: str, flags: int) -> tuple[str, ...] | None:
    """Lower-case ASCII words one of which every match of `pattern` contains, or None when
    no such set is known (then the pattern is always run)."""
    try:
        parsed = sre.parse(pattern, flags)
    except Exception:  # re.compile reports a bad pattern, not this
        return None
    return _of_sequence(list(parsed))


def _of_sequence(items: list[tuple[Any, Any]]) -> tuple[str, ...] | None:
    """The best requirement among a sequence's items: a run of literals or a sub-part's."""
    best: tuple[str, ...] | None = None
    run: list[str] = []
    candidates: list[tuple[str, ...]] = []
    for op, arg in items:
        if op is sre.LITERAL and arg < 128:
            run.append(chr(arg).lower())
            continue
        if run:
            candidates.append(("".join(run),))
            run = []
        inner = _of_item(op, arg)
        if inner is not None:
            candidates.append(inner)
    if run:
        candidates.append(("".join(run),))
    for candidate in candidates:
        if min(len(w) for w in candidate) < MIN_WORD:
            continue
        if best is None or min(map(len, candidate)) > min(map(len, best)):
            best = candidate
    return best


def _of_item(op: Any, arg: Any) -> tuple[str, ...] | None:
    if op is sre.SUBPATTERN:
        return _of_sequence(list(arg[-1]))
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT) and arg[0] >= 1:
        return _of_sequence(list(arg[2]))
    if op is sre.ATOMIC_GROUP:
        return _of_sequence(list(arg))
    if op is sre.BRANCH:
        words: list[str] = []
        for branch in arg[1]:
            found = _of_sequence(list(branch))
            if found is None:
                return None
            words.extend(found)
        return tuple(dict.fromkeys(words))
    return None
