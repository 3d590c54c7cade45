"""The house rules of docs/architecture.md that a reader relies on, checked on the source:
small modules and functions, no import cycle (lazy imports included), botocore only in
cognito_doctor.aws, moto only in the demo. The layer contract itself is import-linter's
(`lint-imports`, run by .ci/run)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "cognito_doctor"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 80


def modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        yield ".".join(parts), path


def imports_of(name: str, path: Path) -> set[str]:
    """Every module `path` imports, at the top or inside a function (absolute names)."""
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def body_lines(function: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """A function's length from its first statement after the docstring (a check's doc is
    its documentation, not its logic)."""
    statements = function.body
    first = statements[0]
    if (
        len(statements) > 1
        and isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
    ):
        first = statements[1]
    return (function.end_lineno or first.lineno) - first.lineno + 1


def test_no_product_module_is_over_400_lines() -> None:
    long = {n: len(p.read_text().splitlines()) for n, p in modules()}
    assert {n: c for n, c in long.items() if c > MAX_MODULE_LINES} == {}


def test_no_function_body_is_over_80_lines() -> None:
    long = {}
    for name, path in modules():
        for node in ast.walk(ast.parse(path.read_text())):
            is_function = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            if is_function and body_lines(node) > MAX_FUNCTION_LINES:
                long[f"{name}.{node.name}"] = body_lines(node)
    assert long == {}


def importers_of(package: str) -> set[str]:
    return {
        name
        for name, path in modules()
        if any(i.split(".")[0] == package for i in imports_of(name, path))
    }


def test_botocore_is_imported_in_cognito_doctor_aws_only() -> None:
    importers = importers_of("botocore")
    assert importers and all(n.startswith("cognito_doctor.aws.") for n in importers), importers


def test_boto3_only_builds_the_demo_setups() -> None:
    assert importers_of("boto3") == {"cognito_doctor.demo.sandbox"}


def test_moto_is_imported_in_the_demo_only() -> None:
    importers = importers_of("moto")
    assert importers and all(n.startswith("cognito_doctor.demo.") for n in importers), importers


def test_no_check_module_imports_aws_code() -> None:
    for name, path in modules():
        if name.startswith("cognito_doctor.checks"):
            bad = {i for i in imports_of(name, path) if i.split(".")[0] in ("botocore", "boto3")}
            bad |= {i for i in imports_of(name, path) if i.startswith("cognito_doctor.aws")}
            assert not bad, (name, bad)


def test_there_is_no_import_cycle_lazy_imports_included() -> None:
    known = dict(modules())
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        targets = set()
        for imported in imports_of(name, path):
            # `from a.b import c` names a.b.c when c is a module, else a.b.
            while imported and imported not in known:
                imported = imported.rpartition(".")[0]
            if imported and imported != name and not name.startswith(imported + "."):
                targets.add(imported)
        graph[name] = targets
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*path[path.index(nxt) :], nxt] if nxt in path else [node, nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    assert cycles == []
