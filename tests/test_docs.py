"""The documentation names only public things: no user-facing page sends a reader into a
private module (docs/design.md, the maintainers' page, says where things live)."""

from __future__ import annotations

import re

import pytest

from tests.paths import ROOT

MAINTAINERS = {"design.md"}
PRIVATE = re.compile(
    r"servicepolicy\._|(?<![\w/])_(common|calendar|tickets|policy|evaluation|reports)\b"
)
PAGES = [
    page
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("**/*.md"))]
    if page.name not in MAINTAINERS
]


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_a_public_page_names_no_private_module(page):
    text = page.read_text(encoding="utf-8")
    named = sorted({m.group(0) for m in PRIVATE.finditer(text)})
    assert not named, f"{page.name} names private modules: {named}"


def test_the_design_page_says_where_things_live():
    text = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")
    assert "## Where things live" in text
    for package in ("_common", "_calendar", "_tickets", "_policy", "_evaluation", "_reports"):
        assert f"{package}/" in text, package
