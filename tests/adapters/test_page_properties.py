"""Properties every adapter keeps, on every source's fixtures: the order of pages and of the
items in a page never changes the tickets; a page cut short is a page missing (and a
warning), never an exception or a lost record."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from servicepolicy import Ticket, UnreadTicket
from servicepolicy.adapters import SOURCES, ImportLog, adapter
from servicepolicy.adapters._common import read_pages
from tests.paths import DATA

FIXTURES = DATA / "adapters"


def _pages(source: str) -> list[Any]:
    files = sorted(p for p in (FIXTURES / source).iterdir() if p.suffix in (".json", ".jsonl"))
    return [page.data for page in read_pages(files)]


def _records(source: str, texts: list[str], tmp: Path) -> tuple[list[Any], ImportLog]:
    paths = []
    for number, text in enumerate(texts):
        path = tmp / f"page-{number:03d}.json"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    log = ImportLog()
    out = list(adapter(source).read_tickets(paths, log=log))
    assert all(isinstance(r, Ticket | UnreadTicket) for r in out)
    return out, log


def _key(record: Ticket | UnreadTicket) -> str:
    if isinstance(record, Ticket):
        return json.dumps(record.to_dict(), sort_keys=True, default=str)
    return json.dumps({"error": record.error, "id": record.ticket_id}, sort_keys=True)


def _shuffled(value: Any, rng: random.Random) -> Any:
    """``value`` with every list of its top level (a page's items) in a random order."""
    if isinstance(value, list):
        return rng.sample(value, len(value))
    if isinstance(value, dict):
        return {k: rng.sample(v, len(v)) if isinstance(v, list) else v for k, v in value.items()}
    return value


_SETTINGS = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.parametrize("source", SOURCES)
@_SETTINGS
@given(seed=st.integers(0, 2**32 - 1))
def test_the_order_of_pages_and_of_their_items_never_changes_the_tickets(
    tmp_path_factory, source, seed
):
    rng = random.Random(seed)
    pages = _pages(source)
    base, _ = _records(source, [json.dumps(p) for p in pages], tmp_path_factory.mktemp("a"))
    assert any(isinstance(r, Ticket) for r in base)
    moved = [json.dumps(_shuffled(p, rng)) for p in rng.sample(pages, len(pages))]
    again, _ = _records(source, moved, tmp_path_factory.mktemp("b"))
    assert sorted(map(_key, again)) == sorted(map(_key, base))


@pytest.mark.parametrize("source", SOURCES)
@_SETTINGS
@given(data=st.data())
def test_a_page_cut_short_is_a_missing_page_and_a_warning(tmp_path_factory, source, data):
    texts = [json.dumps(p) for p in _pages(source)]
    victim = data.draw(st.integers(0, len(texts) - 1), label="page")
    cut = data.draw(st.integers(1, max(1, len(texts[victim]) - 1)), label="cut at")
    cut_texts = [*texts[:victim], texts[victim][:cut], *texts[victim + 1 :]]
    without = [*texts[:victim], *texts[victim + 1 :]]
    got, log = _records(source, cut_texts, tmp_path_factory.mktemp("cut"))
    want, _ = _records(source, without, tmp_path_factory.mktemp("without"))
    assert sorted(map(_key, got)) == sorted(map(_key, want))
    assert sum(log.counts.values()) >= 1
