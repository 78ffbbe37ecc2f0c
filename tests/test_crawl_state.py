"""The high-water mark moves on only over what was fully fetched; a run's status says what happened."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from crawlers.state import RunLog
from models.store import IngestSummary

D5, D6, D7 = "2026-01-05", "2026-01-06", "2026-01-07"
# case -> (done dates, failed dates, refetch the mark's day, finish reason, previous mark, new mark)
MARKS = {
    "latest date stored": ([D5, D7], [], True, "finished", None, D7),
    "a failure holds it back": ([D5, D7], [D6], True, "finished", None, D6),
    "packages: the day before": ([D5, D7], [D6], False, "finished", None, D5),
    "a page lost keeps it": (["2026-01-07"], [None], True, "finished", "2026-01-01", "2026-01-01"),
    "stopped early keeps it": (["2026-01-07"], [], True, "shutdown", "2026-01-01", "2026-01-01"),
    "never backwards": (["2026-01-03"], [], True, "finished", "2026-01-05", "2026-01-05"),
    "nothing new keeps it": ([], [], True, "finished", "2026-01-05", "2026-01-05"),
    "never beyond today": (["2999-01-01"], [], True, "finished", None, date.today().isoformat()),
}  # fmt: skip


@pytest.mark.parametrize(
    ("done", "failed", "refetch", "reason", "previous", "expected"), MARKS.values(), ids=MARKS.keys()
)
def test_high_water_mark(  # noqa: PLR0917 - one argument per column of the table
    done: list[str],
    failed: list[str | None],
    refetch: bool,
    reason: str,
    previous: str | None,
    expected: str | None,
) -> None:
    log = RunLog("s", "feed", datetime.now(UTC), None, refetch, finish_reason=reason)
    log.done_marks, log.failed_marks = done, failed
    assert log.high_water_mark(previous) == expected


@pytest.mark.parametrize(
    ("reason", "failed", "notes", "summary_failed", "status"),
    [
        ("finished", [], [], 0, "ok"),
        ("finished", [], [], 1, "warning"),
        ("finished", [], ["0 items from source s: selectors may be outdated"], 0, "warning"),
        ("finished", [None], [], 0, "failed"),
        ("shutdown", [], [], 0, "failed"),
    ],
)
def test_status(
    reason: str, failed: list[str | None], notes: list[str], summary_failed: int, status: str
) -> None:
    log = RunLog("s", "feed", datetime.now(UTC), None, finish_reason=reason, notes=notes)
    log.failed_marks = failed
    assert log.status(IngestSummary(failed=summary_failed)) == status
