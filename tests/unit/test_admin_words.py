"""Small pieces of issue 17 that need no subprocess: the bad-signature log's rate, CSV cells."""
from __future__ import annotations

import logging

import pytest

from bot.server import _BadSignatures
from storage.export import _csv_cell


def test_bad_signatures_are_logged_at_most_once_a_minute_with_a_count(caplog) -> None:
    now = [1000.0]
    counter = _BadSignatures(clock=lambda: now[0])
    with caplog.at_level(logging.WARNING, logger="canishare.server"):
        counter.seen()  # the first at once: a mis-pasted secret shows straight away
        for _ in range(41):
            now[0] += 1
            counter.seen()
        now[0] += 30  # 71 s after the first report
        counter.seen()
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2
    assert lines[0].startswith("refused 1 request ") and lines[1].startswith("refused 42 requests ")
    assert all("SLACK_SIGNING_SECRET" in line for line in lines)


@pytest.mark.parametrize("value, cell", [
    ("=1+1", "'=1+1"), ("+44 7700", "'+44 7700"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("plain", "plain"), (None, ""), (["a", "b"], "a; b"),
    ({"status": "open", "urgent": True, "claimed_at": None}, "status=open; urgent=yes"),
])
def test_csv_cells_are_readable_and_formula_safe(value, cell) -> None:
    assert _csv_cell("note", value) == cell


def test_csv_path_reads_node_equals_answer() -> None:
    assert _csv_cell("path", [{"node": "danger", "answer": "no"}, {"node": "purpose", "answer": "not_sure"}]) \
        == "danger=no; purpose=not_sure"
