"""Declaring checks and facts, and collecting them from built-ins, plugins and --checks-dir.

A check is a function decorated with :func:`check`; a fact provider one decorated with
:func:`fact`. Nothing is registered globally: loading a module and scanning its attributes
for the marks these decorators leave is how every source (built-in, entry point, directory)
contributes, so a plugin check is exactly as first-class as a built-in one.
"""

from __future__ import annotations

import importlib.util
import inspect
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

from cognito_doctor.engine.model import (
    ALL_RULES,
    DOC_HEADINGS,
    CheckFunction,
    CheckSpec,
    Rules,
    Severity,
    doc_sections,
)

ENTRY_POINT_GROUP = "cognito_doctor.checks"
# Entry points whose names start so are the built-ins (this package's own, in pyproject.toml).
BUILTIN_PREFIX = "builtin."
_CHECK_MARK = "__cognito_doctor_check__"
_FACT_MARK = "__cognito_doctor_fact__"
_ID_PATTERN = re.compile(r"^[a-z][a-z0-9-]*\.[a-z0-9][a-z0-9.-]*$")

F = TypeVar("F", bound=Callable[..., Any])


class RegistryError(Exception):
    """A check or plugin is declared wrongly (bad id, missing doc, duplicate, import error)."""


@dataclass(frozen=True)
class FactSpec:
    """A named value with one provider; `network` marks facts that need AWS or HTTP, and
    `takes_context` providers that are handed the run's context as `ctx`."""

    name: str
    needs: tuple[str, ...]
    network: bool
    function: Callable[..., Any] = field(compare=False, repr=False)
    origin: str = "builtin"
    takes_context: bool = True


CONTEXT_PARAMETER = "ctx"


def _signature_needs(
    function: Callable[..., Any], declared: Iterable[str] | None, what: str, *, context: bool
) -> tuple[str, ...]:
    """The facts `function` needs: its parameter names (less `ctx` for a fact provider).

    A `needs=` list, still accepted from plugins written before, must name the same facts.
    """
    names = [
        p.name
        for p in inspect.signature(function).parameters.values()
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    ]
    if CONTEXT_PARAMETER in names:
        if not context:
            raise RegistryError(
                f"{what} takes `ctx`: checks take facts only (the run's settings are the fact "
                "`settings`)"
            )
        names.remove(CONTEXT_PARAMETER)
    if declared is not None and set(declared) != set(names):
        raise RegistryError(
            f"{what} declares needs={sorted(declared)} but its parameters are {sorted(names)}; "
            "leave `needs` out: it is read from the signature"
        )
    return tuple(names)


def check(
    id: str,
    *,
    title: str,
    severity: Severity | str,
    needs: Iterable[str] | None = None,
    environments: Iterable[Rules | str] = ALL_RULES,
) -> Callable[[F], F]:
    """Mark a function as a check. Its docstring is the check's doc.

    The function is called with one keyword argument per parameter, each the fact of that
    name: a check reads facts only, so it can't reach AWS or the file system.
    """

    def mark(function: F) -> F:
        needed = _signature_needs(function, needs, f"check {id}", context=False)
        doc = inspect.cleandoc(function.__doc__ or "")
        group = id.split(".", 1)[0]
        spec = CheckSpec(
            id=id,
            title=title,
            group=group,
            severity=Severity(severity),
            needs=needed,
            environments=tuple(Rules(e) for e in environments),
            doc=doc,
            function=function,
        )
        setattr(function, _CHECK_MARK, spec)
        return function

    return mark


def fact(
    name: str, *, needs: Iterable[str] | None = None, network: bool = False
) -> Callable[[F], F]:
    """Mark a function as the provider of fact `name`.

    The provider is called with one keyword argument per parameter, each the fact of that
    name, and with the run's context as `ctx` if it has that parameter. It returns the value,
    or raises :class:`~cognito_doctor.engine.model.FactUnavailable`.
    """

    def mark(function: F) -> F:
        needed = _signature_needs(function, needs, f"fact {name!r}", context=True)
        takes_context = CONTEXT_PARAMETER in inspect.signature(function).parameters
        spec = FactSpec(name, needed, network, function, takes_context=takes_context)
        setattr(function, _FACT_MARK, spec)
        return function

    return mark


@dataclass
class Registry:
    """Every check and fact known to one run, in the order they were loaded."""

    checks: dict[str, CheckSpec] = field(default_factory=dict)
    facts: dict[str, FactSpec] = field(default_factory=dict)

    def add_module(self, module: ModuleType, origin: str) -> int:
        """Register every check and fact that `module` defines; return how many checks."""
        added = 0
        for value in vars(module).values():
            fact_spec: FactSpec | None = getattr(value, _FACT_MARK, None)
            if isinstance(fact_spec, FactSpec):
                self._add_fact(replace(fact_spec, origin=origin))
            check_spec: CheckSpec | None = getattr(value, _CHECK_MARK, None)
            if isinstance(check_spec, CheckSpec):
                existing = self.checks.get(check_spec.id)
                if existing is None:
                    self._add_check(replace(check_spec, origin=origin))
                    added += 1
                elif existing.function is not check_spec.function:
                    raise RegistryError(
                        f"check id {check_spec.id!r} from {origin} is already defined by "
                        f"{existing.origin}"
                    )
        return added

    def _add_check(self, spec: CheckSpec) -> None:
        if not _ID_PATTERN.match(spec.id):
            raise RegistryError(
                f"check id {spec.id!r} ({spec.origin}) must look like 'group.name' "
                "in lower case, e.g. 'pool.mfa'"
            )
        missing = [h for h in DOC_HEADINGS if not doc_sections(spec.doc).get(h)]
        if missing:
            raise RegistryError(
                f"check {spec.id} ({spec.origin}) has no doc section(s) "
                + ", ".join(f"'## {h}'" for h in missing)
            )
        self.checks[spec.id] = spec

    def _add_fact(self, spec: FactSpec) -> None:
        existing = self.facts.get(spec.name)
        if existing is not None and existing.function is not spec.function:
            raise RegistryError(
                f"fact {spec.name!r} from {spec.origin} is already provided by {existing.origin}"
            )
        self.facts[spec.name] = spec

    def validate(self) -> None:
        """Every fact a check or fact needs must have a provider."""
        for spec in self.checks.values():
            for need in spec.needs:
                if need not in self.facts:
                    raise RegistryError(
                        f"check {spec.id} ({spec.origin}) needs fact {need!r}, which nothing "
                        f"provides; known facts: {', '.join(sorted(self.facts))}"
                    )
        for fact_spec in self.facts.values():
            for need in fact_spec.needs:
                if need not in self.facts:
                    raise RegistryError(
                        f"fact {fact_spec.name!r} needs unknown fact {need!r} ({fact_spec.origin})"
                    )
        cycle = self._fact_cycle()
        if cycle:
            raise RegistryError("facts depend on each other in a cycle: " + " -> ".join(cycle))

    def _fact_cycle(self) -> list[str]:
        """One cycle among the facts' needs (as a path that ends where it starts), or []."""
        state: dict[str, int] = {}  # 1: on the current path, 2: done

        def visit(name: str, path: list[str]) -> list[str]:
            if state.get(name) == 1:
                return [*path[path.index(name) :], name]
            if state.get(name) == 2:
                return []
            state[name] = 1
            for need in self.facts[name].needs:
                found = visit(need, [*path, name])
                if found:
                    return found
            state[name] = 2
            return []

        for name in self.facts:
            found = visit(name, [])
            if found:
                return found
        return []

    def facts_behind(self, names: Iterable[str]) -> set[str]:
        """Every fact `names` names, and every fact those need, transitively."""
        seen: set[str] = set()
        stack = list(names)
        while stack:
            name = stack.pop()
            if name not in seen:
                seen.add(name)
                stack.extend(self.facts[name].needs)
        return seen

    def fact_needs_network(self, name: str) -> bool:
        """Whether fact `name`, or any fact it needs, reaches AWS or the network."""
        return self._reaches_network([name])

    def needs_network(self, spec: CheckSpec) -> bool:
        """Whether the check needs any fact that reaches AWS or the network."""
        return self._reaches_network(spec.needs)

    def _reaches_network(self, names: Iterable[str]) -> bool:
        return any(self.facts[name].network for name in self.facts_behind(names))


def load_registry(checks_dirs: Iterable[Path] = (), *, plugins: bool = True) -> Registry:
    """Built-in facts and checks, then installed plugins, then every .py file in `checks_dirs`.

    Built-ins come through the same entry point group as plugins: the modules this package
    names `builtin.*` there, in name order. `plugins=False` loads the built-ins alone.
    """
    registry = Registry()
    points = sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name)
    builtins = [ep for ep in points if _is_builtin(ep)]
    if not builtins:
        raise RegistryError(
            "no built-in checks found: cognito-doctor's entry points are missing (install the "
            "package, e.g. `pip install -e .`, rather than running it from a source folder)"
        )
    for ep in builtins:
        registry.add_module(_load_entry_point(ep, f"built-in checks {ep.value}"), "builtin")
    if plugins:
        for ep in points:
            if not _is_builtin(ep):
                origin = f"plugin {ep.name} ({ep.value})"
                registry.add_module(_load_entry_point(ep, origin), origin)
    # The same directory given twice (`d` and `./d`) is loaded once, not reported as duplicates.
    for directory in dict.fromkeys(Path(d).resolve() for d in checks_dirs):
        for path in sorted(directory.glob("*.py")):
            registry.add_module(_import_file(path), f"checks-dir {path}")
    registry.validate()
    return registry


def _is_builtin(ep: EntryPoint) -> bool:
    return ep.name.startswith(BUILTIN_PREFIX) and ep.value.startswith("cognito_doctor.")


def _load_entry_point(ep: EntryPoint, origin: str) -> ModuleType:
    """The module an entry point names (or the module of the attribute it names)."""
    try:
        loaded = ep.load()
    except Exception as exc:
        raise RegistryError(f"{origin} failed to import: {type(exc).__name__}: {exc}") from exc
    return loaded if isinstance(loaded, ModuleType) else sys.modules[loaded.__module__]


def _import_file(path: Path) -> ModuleType:
    module_name = f"cognito_doctor_local_checks.{path.parent.name}.{path.stem}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise RegistryError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        sys.modules.pop(module_name, None)
        raise RegistryError(f"{path} failed to import: {type(exc).__name__}: {exc}") from exc
    return module


__all__ = [
    "ENTRY_POINT_GROUP",
    "CheckFunction",
    "FactSpec",
    "Registry",
    "RegistryError",
    "check",
    "fact",
    "load_registry",
]
