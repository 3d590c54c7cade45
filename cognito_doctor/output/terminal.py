"""What the terminal can show: colour, Unicode, width; and text filled without breaking the
commands and values a person will copy."""

from __future__ import annotations

import os
import re
import shutil
import textwrap
from collections.abc import Mapping
from typing import IO

from cognito_doctor.output import ColorMode, RenderOptions

_ASCII_REPLACEMENTS = str.maketrans(
    {"…": "...", "→": "->", "–": "-", "—": "-", "·": "|", "✓": "+", "✗": "x", "‘": "'", "’": "'"}
)
# Inside `code spans`, spaces must not become line breaks: the span is a command to paste.
_CODE_SPAN = re.compile(r"`[^`\n]+`")
_KEEP_SPACE = "\x00"


def unicode_ok(stream: IO[str] | None) -> bool:
    """Whether `stream` can show ✓ ✗ → … (None: a file, written as UTF-8)."""
    encoding = (getattr(stream, "encoding", None) if stream is not None else None) or "utf-8"
    try:
        "✓✗–—·→…".encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def to_ascii(text: str) -> str:
    """Text a terminal without Unicode can print: common symbols spelled out, the rest '?'."""
    return text.translate(_ASCII_REPLACEMENTS).encode("ascii", "replace").decode("ascii")


def color_wanted(
    mode: ColorMode, stream: IO[str] | None, environ: Mapping[str, str] | None = None
) -> bool:
    """Whether to colour `stream` (None: a file, never coloured).

    auto follows the conventions: NO_COLOR set to anything (no-color.org) turns colour off;
    else FORCE_COLOR set to anything but "0" or "false" turns it on (force-color.org), even
    in a pipe; else TERM=dumb turns it off; else colour exactly when `stream` is a terminal.
    """
    if stream is None:
        return False
    match mode:
        case ColorMode.ALWAYS:
            return True
        case ColorMode.NEVER:
            return False
        case ColorMode.AUTO:
            env = os.environ if environ is None else environ
            if env.get("NO_COLOR"):
                return False
            force = env.get("FORCE_COLOR")
            if force:
                return force.lower() not in ("0", "false")
            if env.get("TERM") == "dumb":
                return False
            return stream.isatty()


def render_options(
    stream: IO[str] | None,
    verbose: bool,
    *,
    quiet: bool = False,
    color: ColorMode = ColorMode.AUTO,
) -> RenderOptions:
    """Colour as `color` and the environment say (color_wanted); plain ASCII if the stream
    can't show ✓ ✗; the terminal's width on a terminal."""
    is_tty = stream is not None and stream.isatty()
    width = shutil.get_terminal_size((100, 24)).columns if is_tty else 100
    return RenderOptions(
        verbose=verbose,
        quiet=quiet,
        color=color_wanted(color, stream),
        unicode=unicode_ok(stream),
        width=max(60, width),
    )


def fill(text: str, width: int, initial_indent: str = "", subsequent_indent: str = "") -> str:
    """textwrap.fill that never splits a word, a hyphenated id or a `code span`."""
    protected = _CODE_SPAN.sub(lambda m: m.group(0).replace(" ", _KEEP_SPACE), text)
    filled = textwrap.fill(
        protected,
        width,
        initial_indent=initial_indent,
        subsequent_indent=subsequent_indent,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return filled.replace(_KEEP_SPACE, " ")
