"""The public surface: every exported name exists, is documented, and the list is sorted."""

import ast
import inspect
import pickle
import re
import tomllib
from datetime import datetime, timedelta
from pathlib import Path

import servicepolicy
from servicepolicy._calendar.model import clock_of

SRC = Path(servicepolicy.__file__).parent
ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "policies" / "examples"
CORE = [
    "_common/errors",
    "_common/durations",
    "_calendar/rules",
    "_calendar/clock",
    "_calendar/model",
    "_common/memo",
    "_policy/conditions",
    "_common/money",
    "_policy/compensation",
    "_policy/model",
    "_policy/checks",
    "_policy/versions",
    "_tickets/model",
    "_tickets/read",
    "_evaluation/replay",
    "_evaluation/results",
    "_evaluation/measure",
    "_evaluation/outcome",
    "_evaluation/compensation",
    "_evaluation/rules",
    "_evaluation/outcome_json",
    "_evaluation/engine",
    "_evaluation/explain",
]


def test_all_is_sorted_and_complete():
    assert servicepolicy.__all__ == sorted(servicepolicy.__all__)
    for name in servicepolicy.__all__:
        assert hasattr(servicepolicy, name), name


def test_every_public_name_has_a_docstring():
    for name in servicepolicy.__all__:
        obj = getattr(servicepolicy, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert inspect.getdoc(obj), f"{name} has no docstring"


def test_py_typed_is_shipped():
    assert (SRC / "py.typed").exists()


def _imports(module: str) -> set[str]:
    """Module-level imports (a function may import a later module lazily, as Policy.evaluate
    does; ``if TYPE_CHECKING:`` blocks are for annotations only): package modules as their
    paths below the package (``_common/errors``), others by their top-level name."""
    tree = ast.parse((SRC / f"{module}.py").read_text())
    package = module.split("/")[:-1]
    found = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - (node.level - 1)]
            found.add("/".join([*base, *(node.module or "").split(".")]))
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module.split(".")[0])
    return found


def test_core_does_no_io_and_reads_no_clock():
    for module in CORE:
        imported = _imports(module)
        assert not imported & {"yaml", "sys", "os", "pathlib", "io"}, (module, imported)
        text = (SRC / f"{module}.py").read_text()
        assert "datetime.now(" not in text and ".today(" not in text, module
        assert not re.search(r"(?<![\w.])open\(", text), module


def test_core_imports_point_one_way():
    order = {name: i for i, name in enumerate(CORE)}
    for module in CORE:
        for imported in _imports(module):
            if imported in order and imported != "_evaluation/explain":
                assert order[imported] < order[module], f"{module} imports {imported}"


def test_the_compiled_build_compiles_core_modules_only():
    # The optional mypyc build (docs/performance.md) lists its modules by path; a renamed or
    # moved module would silently fall back to plain Python there, and an I/O module has no
    # business in it.
    hook = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["hatch"]
    paths = hook["build"]["targets"]["wheel"]["hooks"]["mypyc"]["include"]
    modules = {path.removeprefix("/src/servicepolicy/").removesuffix(".py") for path in paths}
    assert modules and modules <= set(CORE), modules - set(CORE)
    for module in modules:
        assert (ROOT / "src" / "servicepolicy" / f"{module}.py").is_file(), module


def test_a_clock_pickles_without_its_cache():
    policy = servicepolicy.load_policy(EXAMPLES / "saas-support.yaml")
    calendar = policy.calendar("support-eu")
    start = datetime.fromisoformat("2026-12-23T16:00:00+01:00")
    due = calendar.add(start, timedelta(hours=30))  # fills the clock's interval index
    copied = pickle.loads(pickle.dumps(calendar))
    assert clock_of(calendar)._index is not None
    assert clock_of(copied)._index is None
    assert copied == calendar
    assert copied.add(start, timedelta(hours=30)) == due
