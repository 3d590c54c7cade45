"""Declaring checks and facts, and collecting them from built-ins, plugins and --checks-dir.

A check is a function decorated with :func:`check`; a fact provider one decorated with
:func:`fact`. Nothing is registered globally: loading a module and scanning its attributes
for the marks these decorators leave is how every source (built-in, entry point, directory)
contributes, so a plugin check is exactly as first-class as a built-in one.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

from cognito_doctor.engine.model import (
    ALL_ENVIRONMENTS,
    DOC_HEADINGS,
    CheckFunction,
    CheckSpec,
    Environment,
    Severity,
    doc_sections,
)

ENTRY_POINT_GROUP = "cognito_doctor.checks"
BUILTIN_FACT_MODULES = (
    "cognito_doctor.facts.core",
    "cognito_doctor.facts.iam_principal",
    "cognito_doctor.facts.iam_policies",
    "cognito_doctor.facts.iam_simulation",
    "cognito_doctor.facts.iam_probe",
    "cognito_doctor.facts.iam_policy_file",
    "cognito_doctor.facts.ses",
)
BUILTIN_CHECK_MODULES = ("env", "creds", "pool", "client", "issuer", "iam", "email")
_CHECK_MARK = "__cognito_doctor_check__"
_FACT_MARK = "__cognito_doctor_fact__"
_ID_PATTERN = re.compile(r"^[a-z][a-z0-9-]*\.[a-z0-9][a-z0-9.-]*$")

F = TypeVar("F", bound=Callable[..., Any])


class RegistryError(Exception):
    """A check or plugin is declared wrongly (bad id, missing doc, duplicate, import error)."""


@dataclass(frozen=True)
class FactSpec:
    """A named value with one provider; `network` marks facts that need AWS or HTTP."""

    name: str
    needs: tuple[str, ...]
    network: bool
    function: Callable[..., Any] = field(compare=False, repr=False)
    origin: str = "builtin"


def check(
    id: str,
    *,
    title: str,
    severity: Severity | str,
    needs: Iterable[str] = (),
    environments: Iterable[Environment | str] = ALL_ENVIRONMENTS,
) -> Callable[[F], F]:
    """Mark a function as a check. Its docstring is the check's doc.

    The function is called with one keyword argument per fact in `needs`, plus `ctx`
    (the :class:`~cognito_doctor.facts.CheckContext`) if it declares that parameter.
    """

    def mark(function: F) -> F:
        doc = inspect.cleandoc(function.__doc__ or "")
        group = id.split(".", 1)[0]
        spec = CheckSpec(
            id=id,
            title=title,
            group=group,
            severity=Severity(severity),
            needs=tuple(needs),
            environments=tuple(Environment(e) for e in environments),
            doc=doc,
            function=function,
        )
        setattr(function, _CHECK_MARK, spec)
        return function

    return mark


def fact(name: str, *, needs: Iterable[str] = (), network: bool = False) -> Callable[[F], F]:
    """Mark a function as the provider of fact `name`.

    The provider is called with `ctx` and one keyword argument per fact in `needs`. It
    returns the value, or raises :class:`~cognito_doctor.facts.FactUnavailable`.
    """

    def mark(function: F) -> F:
        setattr(function, _FACT_MARK, FactSpec(name, tuple(needs), network, function))
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
                    raise RegistryError(f"fact {fact_spec.name!r} needs unknown fact {need!r}")

    def needs_network(self, spec: CheckSpec) -> bool:
        """Whether the check needs any fact that reaches AWS or the network."""
        seen: set[str] = set()
        stack = list(spec.needs)
        while stack:
            name = stack.pop()
            if name in seen:
                continue
            seen.add(name)
            fact_spec = self.facts[name]
            if fact_spec.network:
                return True
            stack.extend(fact_spec.needs)
        return False


def load_registry(checks_dirs: Iterable[Path] = (), *, plugins: bool = True) -> Registry:
    """Built-in facts and checks, then installed plugins, then every .py file in `checks_dirs`."""
    registry = Registry()
    for fact_module in BUILTIN_FACT_MODULES:
        registry.add_module(importlib.import_module(fact_module), "builtin")
    for name in BUILTIN_CHECK_MODULES:
        try:
            module = importlib.import_module(f"cognito_doctor.checks.{name}")
        except Exception as exc:
            raise RegistryError(
                f"built-in checks cognito_doctor.checks.{name} failed to import: "
                f"{type(exc).__name__}: {exc}"
            ) from exc
        registry.add_module(module, "builtin")
    if plugins:
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            origin = f"plugin {ep.name} ({ep.value})"
            try:
                loaded = ep.load()
            except Exception as exc:
                raise RegistryError(f"{origin} failed to import: {exc}") from exc
            module = loaded if isinstance(loaded, ModuleType) else sys.modules[loaded.__module__]
            registry.add_module(module, origin)
    # The same directory given twice (`d` and `./d`) is loaded once, not reported as duplicates.
    for directory in dict.fromkeys(Path(d).resolve() for d in checks_dirs):
        for path in sorted(directory.glob("*.py")):
            registry.add_module(_import_file(path), f"checks-dir {path}")
    registry.validate()
    return registry


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
