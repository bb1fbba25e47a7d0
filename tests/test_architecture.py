"""The package's layers: every import, in every scope, points down (docs/design.md, "Where
things live"), no module imports itself round a cycle, and the pure core does no I/O.

An import is read wherever it is written: at module level, inside a function, or under
``if TYPE_CHECKING:``.  An import that points up must be listed in :data:`UPWARD` with its
reason, and a listed one that is no longer made fails the test, so the table stays true.
"""

from __future__ import annotations

import ast
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import servicepolicy
from tests.paths import ROOT

SRC = Path(servicepolicy.__file__).parent
PACKAGE = "servicepolicy"

# Which layer may import which (transitively closed below); the root package is the public
# door over every layer but the command line, which sits on top of it.
MAY_IMPORT: dict[str, set[str]] = {
    "_common": set(),
    "_calendar": {"_common"},
    "_tickets": {"_common"},
    # the reader's language: messages from the package's catalogues, Babel's formats
    "_i18n": {"_calendar", "_common"},
    "_policy": {"_i18n", "_calendar", "_common"},
    "_evaluation": {"_i18n", "_policy", "_tickets", "_calendar", "_common"},
    "_reports": {"_i18n", "_evaluation", "_policy", "_tickets", "_calendar", "_common"},
    "adapters": {"_i18n", "_reports", "_evaluation", "_policy", "_tickets", "_calendar", "_common"},
    "": {
        "_i18n",
        "adapters",
        "_reports",
        "_evaluation",
        "_policy",
        "_tickets",
        "_calendar",
        "_common",
    },
    # servicepolicy.arrow: the public door for Arrow tables, beside the package's own door
    "arrow": {"_i18n", "_reports", "_evaluation", "_policy", "_tickets", "_calendar", "_common"},
    # servicepolicy.dask and servicepolicy.spark: public doors for clusters, over arrow, with
    # what they share (lines in the whole input, partial reports) in _distributed
    "_distributed": {"arrow", "_reports", "_evaluation", "_policy", "_tickets", "_calendar"}
    | {"_i18n", "_common"},
    "dask": {"_distributed", "arrow", "_reports", "_evaluation", "_policy", "_tickets"}
    | {"_i18n", "_calendar", "_common"},
    "spark": {"_distributed", "arrow", "_reports", "_evaluation", "_policy", "_tickets"}
    | {"_i18n", "_calendar", "_common"},
    "cli": {"", "arrow", "adapters", "_reports", "_evaluation", "_policy", "_tickets"}
    | {"_i18n", "_calendar", "_common"},
}

UPWARD: dict[tuple[str, str], str] = {
    ("_policy.model", "_evaluation.api"): (
        "Policy.evaluate and Policy.refund: the one door from a policy to the evaluator, "
        "imported inside the methods when they are called"
    ),
    ("_policy.model", "_evaluation.evaluation"): "the type Policy.evaluate returns (annotation)",
    ("_policy.model", "_evaluation.results"): "the type Policy.refund returns (annotation)",
    ("_policy.versions", "_evaluation.api"): (
        "PolicySet.evaluate and PolicySet.refund: the same door for dated versions"
    ),
    ("_policy.versions", "_evaluation.evaluation"): "the type PolicySet.evaluate returns",
    ("_policy.versions", "_evaluation.results"): "the type PolicySet.refund returns",
}
"""Imports that point up a layer, each with its reason."""

# The pure core takes values and returns values: no files, no streams, no environment, no
# clock.  The loader (the only reader of policy files), the YAML reader, the schema's JSON
# text, the ticket streams and the ticket files are the edges around it.
EDGES = {
    "_policy.loader",
    "_policy.safe_yaml",
    "_policy.schema",
    "_tickets.files",
    "_tickets.streams",
}
CORE_LAYERS = ("_common", "_calendar", "_tickets", "_policy", "_evaluation")
IO_MODULES = {"yaml", "sys", "os", "pathlib", "io", "subprocess", "shutil", "tempfile"}


def module_files() -> dict[str, Path]:
    """Every module of the package by its name below the package (``_calendar.clock``;
    ``""`` for the package itself, ``cli`` for the package ``cli``)."""
    found = {}
    for path in sorted(SRC.rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = module_files()


def _is_package(name: str) -> bool:
    return MODULES[name].name == "__init__.py"


def _resolve(module: str, node: ast.ImportFrom) -> list[str]:
    """The package modules an ``import from`` names, by their names below the package."""
    if node.level:
        base = module.split(".") if module and _is_package(module) else module.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
        base = [part for part in base if part]
    elif node.module and (node.module == PACKAGE or node.module.startswith(PACKAGE + ".")):
        base = []
        node = ast.ImportFrom(
            module=node.module.removeprefix(PACKAGE).lstrip(".") or None, names=node.names
        )
    else:
        return []
    target = ".".join([*base, *(node.module.split(".") if node.module else [])])
    names = []
    for alias in node.names:
        submodule = f"{target}.{alias.name}" if target else alias.name
        names.append(submodule if submodule in MODULES else target)
    return names


def imports_of(module: str) -> Iterator[tuple[str, int]]:
    """Every package module that ``module`` imports, anywhere in it, with the line."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            for name in _resolve(module, node):
                yield name, node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(PACKAGE + "."):
                    yield alias.name.removeprefix(PACKAGE + "."), node.lineno


def external_imports_of(module: str) -> set[str]:
    """The top-level names of the modules outside the package that ``module`` imports."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            found.add(node.module.split(".")[0])
    return found - {PACKAGE}


def layer_of(module: str) -> str:
    if module == "__main__":  # ``python -m servicepolicy`` runs the command line
        return "cli"
    return module.split(".")[0] if module.split(".")[0] in MAY_IMPORT else ""


def edges() -> set[tuple[str, str]]:
    return {
        (module, imported)
        for module in MODULES
        for imported, _ in imports_of(module)
        if imported != module
    }


def test_every_module_belongs_to_a_layer():
    assert {layer_of(module) for module in MODULES} <= set(MAY_IMPORT)
    top = {module for module in MODULES if layer_of(module) == ""}
    assert top == {""}, "a module outside the subpackages: give it a layer"


def test_the_reader_sees_imports_in_every_scope():
    # Policy.evaluate imports the evaluator inside the method, and names its result under
    # TYPE_CHECKING: both must be seen, or the table below would be stale for no reason.
    found = {imported for imported, _ in imports_of("_policy.model")}
    assert {"_evaluation.api", "_evaluation.evaluation", "_common.vocabulary"} <= found


def test_imports_point_down_the_layers():
    wrong = []
    for module, imported in sorted(edges()):
        source, target = layer_of(module), layer_of(imported)
        if source == target or target in MAY_IMPORT[source]:
            continue
        if (module, imported) not in UPWARD:
            wrong.append(f"{module or PACKAGE} imports {imported} ({source} -> {target})")
    assert not wrong, "imports that point up a layer:\n" + "\n".join(wrong)


def test_every_listed_exception_is_still_needed():
    made = edges()
    stale = [f"{a} -> {b}" for a, b in UPWARD if (a, b) not in made]
    assert not stale, "listed upward imports that are no longer made:\n" + "\n".join(stale)
    for (module, imported), reason in UPWARD.items():
        assert reason.strip(), (module, imported)
        assert layer_of(imported) not in MAY_IMPORT[layer_of(module)], (module, imported)


def test_no_module_imports_itself_round_a_cycle():
    graph: dict[str, set[str]] = {module: set() for module in MODULES}
    for module, imported in edges():
        if (module, imported) not in UPWARD:
            graph[module].add(imported)
    cycles = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for imported in sorted(graph[module]):
            if state.get(imported) == 1:
                cycles.append(" -> ".join([*path[path.index(imported) :], imported]))
            elif imported not in state:
                visit(imported, [*path, imported])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def _core_modules() -> list[str]:
    return [m for m in MODULES if layer_of(m) in CORE_LAYERS and m not in EDGES]


def test_the_core_does_no_io_and_reads_no_clock():
    for module in _core_modules():
        imported = external_imports_of(module)
        assert not imported & IO_MODULES, (module, imported & IO_MODULES)
        text = MODULES[module].read_text(encoding="utf-8")
        assert "datetime.now(" not in text and ".today(" not in text, module
        assert not re.search(r"(?<![\w.])open\(", text), module


def test_the_compiled_build_compiles_core_modules_only():
    # The optional mypyc build (docs/performance.md) lists its modules by path; a renamed or
    # moved module would silently fall back to plain Python there, and an I/O module has no
    # business in it.
    hook = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["hatch"]
    paths = hook["build"]["targets"]["wheel"]["hooks"]["mypyc"]["include"]
    compiled = {
        path.removeprefix(f"/src/{PACKAGE}/").removesuffix(".py").replace("/", ".")
        for path in paths
    }
    assert compiled, "the compiled build lists no module"
    assert compiled <= set(_core_modules()), compiled - set(_core_modules())
    assert "_common.build" in compiled, "the build module must be compiled to tell the build"
