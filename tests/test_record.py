"""The record contract: serialisation, round trip and validation."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from crawlers.parsers.dispatch import parse_paths
from crawlers.parsers.record import Buyer, NoticeRecord, RecordValidationError


def real_records(real_data: Path) -> list[NoticeRecord]:
    folders = [str(real_data / name) for name in ("eforms", "ted-legacy", "ocds")]
    return [record for outcome in parse_paths(folders) for record in outcome.records]


def test_to_dict_equals_the_generic_dataclass_conversion(real_data: Path) -> None:
    records = real_records(real_data)
    assert len(records) > 40
    for record in records:
        assert record.to_dict() == dataclasses.asdict(record)
        assert list(record.to_dict()) == [field.name for field in dataclasses.fields(NoticeRecord)]


def test_from_dict_round_trips(real_data: Path) -> None:
    for record in real_records(real_data):
        assert NoticeRecord.from_dict(record.to_dict()) == record


def test_to_dict_does_not_share_lists_with_the_record() -> None:
    record = NoticeRecord("eforms", "x.xml", "1", cpv=["90910000"], cpv_main="90910000")
    record.to_dict()["cpv"].append("55000000")
    assert record.cpv == ["90910000"]


INVALID = {
    "cpv with check digit": {"cpv": ["90910000-9"]},
    "cpv main not first": {"cpv_main": "90910000", "cpv": ["55000000", "90910000"]},
    "unknown notice type": {"notice_type": "tender"},
    "date not ISO": {"published": "29.11.2026"},
    "unknown reserved code": {"reserved_participation": ["res-ws"]},
    "language not ISO 639-1": {"language": "SWE"},
}


@pytest.mark.parametrize("changes", INVALID.values(), ids=INVALID.keys())
def test_validate_refuses_records_that_break_the_contract(changes: dict[str, object]) -> None:
    record = dataclasses.replace(
        NoticeRecord("eforms", "in/x.xml", "00001-2026", buyer=Buyer(name="Luleå kommun")), **changes
    )
    with pytest.raises(RecordValidationError, match=r"^in/x.xml: invalid record 00001-2026"):
        record.validate()
