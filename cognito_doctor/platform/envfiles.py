"""Reading the services' `.env` files as their loader does, keeping true line numbers.

Two readers: `node` (the default), dotenv 16 for Node as `@nestjs/config` loads it
(`platform/dotenv_node.py`), and `python`, python-dotenv's parser with its default `${VAR}`
interpolation (over the file's own values), for services that load `.env` from Python.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from cognito_doctor.engine.model import Location
from cognito_doctor.engine.redact import remember
from cognito_doctor.platform.dotenv_node import parse_node
from cognito_doctor.platform.files import read_capped

UM_ENV = "services/user-management/.env"
AUTH_ENV = "services/auth/.env"
MAX_ENV_BYTES = 1_000_000
_LINE_BREAK = re.compile(r"\r\n|\n|\r")
_QUOTES = ("'", '"', "`")
# UTF-32 first: its little-endian mark starts with UTF-16's.
_WIDE_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


class EnvReader(StrEnum):
    """Which loader's rules a service's `.env` is read with (the config file's `env_reader`)."""

    NODE = "node"  # npm dotenv 16, through @nestjs/config: the platform's services
    PYTHON = "python"  # python-dotenv's dotenv_values()

    @property
    def described(self) -> str:
        """The loader, in words, for messages and `explain`."""
        match self:
            case EnvReader.NODE:
                return "dotenv for Node (npm dotenv 16, as @nestjs/config loads it)"
            case EnvReader.PYTHON:
                return "python-dotenv"


# Keys whose values are credentials: never printed, and scrubbed from every report.
SECRET_KEYS = ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")
_SECRET_WORDS = ("SECRET", "TOKEN", "PASSWORD", "PRIVATE")


def is_secret_key(key: str) -> bool:
    """Whether a `.env` key holds a credential whose value must never be shown."""
    upper = key.upper()
    return key in SECRET_KEYS or any(word in upper for word in _SECRET_WORDS)


@dataclass(frozen=True)
class EnvEntry:
    """One `KEY=value` assignment; `value` is None for a bare `KEY` line."""

    key: str
    value: str | None
    line: int
    # The loader kept a quote it could not pair (Node: `KEY="value` is read literally).
    unclosed_quote: bool = False


@dataclass(frozen=True)
class EnvFile:
    """A parsed `.env` file, or why it could not be read (`problem`)."""

    label: str
    path: Path
    problem: str | None
    entries: tuple[EnvEntry, ...] = ()
    malformed_lines: tuple[int, ...] = ()
    reader: EnvReader = EnvReader.NODE

    @property
    def usable(self) -> bool:
        return self.problem is None

    def entry(self, key: str) -> EnvEntry | None:
        """The assignment that wins for `key` (the last one, as dotenv loaders do)."""
        for entry in reversed(self.entries):
            if entry.key == key:
                return entry
        return None

    def get(self, key: str) -> str | None:
        """The value of `key` exactly as the service receives it (whitespace the loader kept
        inside quotes included); None when unset, empty or a bare `KEY` line."""
        entry = self.entry(key)
        if entry is None or not entry.value:
            return None
        return entry.value

    def has(self, key: str) -> bool:
        return self.entry(key) is not None

    def location(self, key: str | None = None) -> Location:
        """Where `key` is set in this file (its last assignment), or the file itself."""
        entry = self.entry(key) if key else None
        return Location(self.label, entry.line if entry else None)

    def duplicates(self) -> dict[str, list[int]]:
        """Keys assigned more than once, with every line that assigns them."""
        lines: dict[str, list[int]] = {}
        for entry in self.entries:
            lines.setdefault(entry.key, []).append(entry.line)
        return {key: found for key, found in lines.items() if len(found) > 1}

    def secret_values(self) -> Iterator[str]:
        for entry in self.entries:
            if entry.value and is_secret_key(entry.key):
                yield entry.value
                if entry.value.strip() != entry.value:
                    yield entry.value.strip()

    def unclosed_quote_lines(self) -> tuple[int, ...]:
        """Lines whose value starts with a quote the loader kept, because it is never closed."""
        return tuple(entry.line for entry in self.entries if entry.unclosed_quote)


def _unmarked_wide_encoding(raw: bytes) -> str | None:
    """UTF-16 or UTF-32 text without a BOM, told by where its NUL bytes fall in the first
    characters of ASCII text (a .env file starts with a key): every other byte for UTF-16,
    three of every four for UTF-32; None for anything else."""
    head = raw[:64]
    for width, encoding in ((4, "UTF-32"), (2, "UTF-16")):
        usable = len(head) - len(head) % width
        if usable < 2 * width:
            continue
        units = [head[i : i + width] for i in range(0, usable, width)]
        if all(u[1:] == b"\x00" * (width - 1) and u[0] for u in units):
            return f"{encoding}-LE"
        if all(u[:-1] == b"\x00" * (width - 1) and u[-1] for u in units):
            return f"{encoding}-BE"
    return None


def read_env_file(root: Path, label: str, reader: EnvReader = EnvReader.NODE) -> EnvFile:
    """Read and parse `root/label` with `reader`'s rules. Never raises: problems are recorded
    on the result."""
    path = root / label
    raw = read_capped(path, label, MAX_ENV_BYTES)
    if isinstance(raw, str):
        return EnvFile(label, path, raw)
    if len(raw) > MAX_ENV_BYTES:
        return EnvFile(
            label, path, f"{label} is over {MAX_ENV_BYTES} bytes; a .env file is far smaller"
        )
    for bom, encoding in _WIDE_BOMS:
        if raw.startswith(bom):
            return EnvFile(
                label,
                path,
                f"{label} is saved as {encoding}; the loaders read UTF-8, save it as UTF-8",
            )
    unmarked = _unmarked_wide_encoding(raw)
    if unmarked is not None:
        return EnvFile(
            label,
            path,
            f"{label} is saved as {unmarked} (without a byte-order mark); the loaders read "
            "UTF-8, save it as UTF-8",
        )
    if b"\x00" in raw:
        offset = raw.index(b"\x00")
        return EnvFile(
            label, path, f"{label} is a binary file (NUL byte at offset {offset}), not a .env file"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return EnvFile(label, path, f"{label}:{line} is not valid UTF-8 (byte {exc.start})")
    return parse_env_text(label, path, text, reader)


def parse_node_text(label: str, path: Path, text: str) -> EnvFile:
    """Parse `.env` text as dotenv for Node does; lines it skips count as malformed."""
    parsed = parse_node(text)
    entries = tuple(
        EnvEntry(
            binding.key,
            binding.value,
            binding.line,
            unclosed_quote=binding.raw[:1] in _QUOTES and binding.value == binding.raw,
        )
        for binding in parsed.bindings
    )
    return EnvFile(label, path, None, entries, parsed.skipped_lines, EnvReader.NODE)


def parse_python_text(label: str, path: Path, text: str) -> EnvFile:
    """Parse `.env` text as python-dotenv's `dotenv_values()` does (export prefixes, quotes,
    comments, CRLF, `${VAR}` over the file's own earlier values) into an EnvFile."""
    from dotenv.parser import parse_stream
    from dotenv.variables import parse_variables

    known: dict[str, str | None] = {}
    entries: list[EnvEntry] = []
    malformed: list[int] = []
    # dotenv's own line numbers include the blank lines before a binding and, after a line
    # that does not parse, count a CRLF twice; so count from character offsets instead.
    # Bindings are contiguous: each starts where the previous one ended.
    text = text.removeprefix("\ufeff")
    offset = counted = 0
    line = 1
    for binding in parse_stream(io.StringIO(text)):
        original = binding.original.string
        start = offset + len(original) - len(original.lstrip())
        offset += len(original)
        line += len(_LINE_BREAK.findall(text, counted, start))
        counted = start
        if binding.error:
            malformed.append(line)
        elif binding.key is not None:
            value = binding.value
            if value is not None:
                value = "".join(atom.resolve(known) for atom in parse_variables(value))
            known[binding.key] = value
            entries.append(EnvEntry(binding.key, value, line))
            if binding.value is None:  # a line without '=': the loaders set nothing for it
                malformed.append(line)
    return EnvFile(label, path, None, tuple(entries), tuple(malformed), EnvReader.PYTHON)


@dataclass(frozen=True)
class EnvFiles:
    """Both services' `.env` files, each parsed or with the reason it couldn't be."""

    um: EnvFile
    auth: EnvFile

    def __iter__(self) -> Iterator[EnvFile]:
        return iter((self.um, self.auth))

    def secret_values(self) -> Iterator[str]:
        """Every secret either file holds (for the redactor)."""
        for env in self:
            yield from env.secret_values()


def first_value(files: EnvFiles, key: str) -> str | None:
    """`key` from user-management's file, else from auth's (unreadable files count as empty)."""
    for env in files:
        if env.usable and env.get(key):
            return env.get(key)
    return None


def parse_env_text(
    label: str, path: Path, text: str, reader: EnvReader = EnvReader.NODE
) -> EnvFile:
    """Parse `.env` text with `reader`'s rules into an EnvFile."""
    match reader:
        case EnvReader.NODE:
            parsed = parse_node_text(label, path, text)
        case EnvReader.PYTHON:
            parsed = parse_python_text(label, path, text)
    # Whatever a file holds under a secret key is known to the redactor from now on.
    remember(*parsed.secret_values())
    return parsed
