"""Files the user named, read and written safely: reads take regular files only (never a
FIFO or a device that would block or never end) and at most a given number of bytes; writes
never wait on a FIFO no one reads; any path (a NUL byte, an undecodable name) gives a reason
rather than an exception."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

MAX_NESTING = 64


class TooDeep(ValueError):
    """A JSON or TOML text nests deeper than anyone writes by hand (a parser would recurse)."""


def check_nesting(text: str, limit: int = MAX_NESTING) -> None:
    """Raise TooDeep when `text`'s arrays and objects/inline tables nest deeper than `limit`.
    One pass, before parsing: brackets inside strings and comments don't count."""
    depth = 0
    quote = ""
    index, size = 0, len(text)
    while index < size:
        char = text[index]
        if quote:
            if char == "\\" and quote == '"':
                index += 1
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "#":
            newline = text.find("\n", index)
            index = size if newline == -1 else newline
        elif char in "[{":
            depth += 1
            if depth > limit:
                raise TooDeep(f"nested more than {limit} levels deep")
        elif char in "]}":
            depth = max(0, depth - 1)
        index += 1


def read_capped(path: Path, label: str, limit: int, *, tail: bool = False) -> bytes | str:
    """The file's bytes, at most `limit + 1` of them (so a caller sees it is too big), or
    why it can't be read (a str). With `tail`, a bigger file gives its last `limit` bytes."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return f"{label} does not exist"
    except ValueError:
        return f"{label}: the path contains a NUL byte"
    except OSError as exc:
        return f"{label} cannot be read: {exc.strerror or exc}"
    if stat.S_ISDIR(info.st_mode):
        return f"{label} is a directory, not a file"
    if not stat.S_ISREG(info.st_mode):
        return f"{label} is not a regular file (a pipe, socket or device); give a file"
    if info.st_size > limit and not tail:
        return f"{label} is {info.st_size} bytes, over the {limit}-byte limit"
    try:
        # O_NONBLOCK: if the path was swapped for a FIFO after the stat, open doesn't block.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        return f"{label} cannot be read: {exc.strerror or exc}"
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            return f"{label} is not a regular file (a pipe, socket or device); give a file"
        try:
            if tail and info.st_size > limit:
                handle.seek(info.st_size - limit)
            return handle.read(limit + 1)
        except OSError as exc:
            return f"{label} cannot be read: {exc.strerror or exc}"


def write_text(path: Path | str, text: str, *, append: bool = False) -> None:
    """Write (or append) `text` to `path` as UTF-8, lone surrogates escaped. A FIFO no one
    reads is refused at once (ENXIO) instead of blocking the run for ever; a pipe or terminal
    someone reads (`/dev/stdout`) is written as usual. OSError or ValueError when it can't."""
    mode = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC)
    try:
        descriptor = os.open(path, mode | getattr(os, "O_NONBLOCK", 0), 0o666)
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise OSError(exc.errno, "it is a pipe (FIFO) that no one reads") from None
        raise
    try:
        if hasattr(os, "set_blocking"):
            os.set_blocking(descriptor, True)  # opened without waiting; now write normally
        with os.fdopen(descriptor, "w", encoding="utf-8", errors="backslashreplace") as handle:
            descriptor = -1
            handle.write(text)
    finally:
        if descriptor != -1:
            os.close(descriptor)
