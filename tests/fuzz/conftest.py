"""Every fuzz test fails, rather than hangs, when it runs past the whole-test guard: each
example is held to :data:`tests.fuzz.support.HANG_GUARD_SECONDS`, and a test of a bounded
number of examples finishing within five minutes is no hang."""

import pytest

WHOLE_TEST_SECONDS = 300


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/fuzz/" in item.nodeid:
            item.add_marker(pytest.mark.timeout(WHOLE_TEST_SECONDS))
