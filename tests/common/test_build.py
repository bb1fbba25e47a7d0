"""One module tells which build is loaded, and the build it tells is the build that runs."""

from __future__ import annotations

import importlib
import tomllib
from bisect import bisect_right

from hypothesis import given
from hypothesis import strategies as st

from servicepolicy._common import COMPILED, STEPPING_SEARCH, bisect_right_near
from tests.paths import ROOT


def _compiled_modules() -> list[str]:
    hook = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["hatch"]
    paths = hook["build"]["targets"]["wheel"]["hooks"]["mypyc"]["include"]
    return [p.removeprefix("/src/").removesuffix(".py").replace("/", ".") for p in paths]


def test_every_core_module_is_of_the_build_that_is_told():
    # A build is all or nothing: a compiled build whose module failed to compile (or a plain
    # one with a stray compiled module beside it) would time or test the wrong code.
    for name in _compiled_modules():
        file = importlib.import_module(name).__file__ or ""
        assert file.endswith((".so", ".pyd")) == COMPILED, (name, file)


def test_the_searches_step_only_where_the_build_says_so():
    assert STEPPING_SEARCH == COMPILED


@given(
    st.lists(st.integers(0, 1000), max_size=40).map(sorted),
    st.integers(-5, 1005),
    st.integers(0, 45),
)
def test_a_search_from_near_its_answer_is_bisect_right(values, x, lo):
    lo = min(lo, len(values))
    assert bisect_right_near(values, x, lo) == bisect_right(values, x, lo)
