"""The public surface: every exported name exists, is documented, and the list is sorted."""

import ast
import inspect
import re
from pathlib import Path

import servicepolicy

SRC = Path(servicepolicy.__file__).parent
CORE = [
    "_errors",
    "_durations",
    "_calendar",
    "_clock",
    "_calendar_model",
    "_conditions",
    "_money",
    "_compensation_model",
    "_model",
    "_checks",
    "_policyset",
    "_ticket",
    "_history",
    "_results",
    "_measure",
    "_compensation",
    "_rules",
    "_outcome",
    "_evaluate",
    "_explain",
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
    does; ``if TYPE_CHECKING:`` blocks are for annotations only)."""
    tree = ast.parse((SRC / f"{module}.py").read_text())
    found = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(("." if node.level else "") + node.module.split(".")[0])
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
            name = imported.lstrip(".")
            if imported.startswith(".") and name in order and name != "_explain":
                assert order[name] < order[module], f"{module} imports {name}"
