"""The tender list's filter, sort and page, parsed from the URL (the same names for pages and API)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from anbudsradar.web.inputs import one_line

NoticeTypeName = Literal["contract-notice", "direct-award", "award", "planning", "modification", "other"]
SortName = Literal["published", "deadline", "title", "amount", "buyer"]
FILTER_FIELDS = (
    "q",
    "reserved",
    "employment",
    "social",
    "branch",
    "buyer",
    "municipality",
    "county",
    "type",
    "status",
    "deadline_from",
    "deadline_to",
)


class TenderFilter(BaseModel):
    """What the tender list shows: filters, sort order and page; empty values mean "any"."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    q: str | None = Field(None, max_length=200, description="Fritext i titel och beskrivning.")
    reserved: bool = Field(
        False, description="Endast reserverade kontrakt (4 kap. 18 § LOU, eForms BT-71/BT-736)."
    )
    employment: bool = Field(False, description="Endast upphandlingar med sysselsättningskrav (BT-775 opp).")
    social: bool = Field(False, description="Endast upphandlingar med övriga sociala hänsyn.")
    branch: str | None = Field(None, pattern=r"^[a-z_]{1,40}$", description="ASF-bransch (matcher.taxonomy).")
    buyer: int | None = Field(None, ge=1, le=2**31 - 1, description="Köparens id.")
    municipality: str | None = Field(None, max_length=100, description="Köparens ort (kommun).")
    county: str | None = Field(None, pattern=r"^[A-Z]{2}[0-9A-Z]{0,3}$", description="NUTS-kod, t.ex. SE332.")
    type: NoticeTypeName | None = Field(None, description="Annonstyp; direct-award = direktupphandling.")
    status: Literal["open", "closed"] | None = Field(
        None, description="Öppen eller stängd (sista anbudsdag)."
    )
    deadline_from: date | None = Field(None, description="Sista anbudsdag tidigast.")
    deadline_to: date | None = Field(None, description="Sista anbudsdag senast.")
    sort: SortName = "published"
    order: Literal["asc", "desc"] = "desc"
    page: int = Field(1, ge=1, le=100_000)

    @model_validator(mode="before")
    @classmethod
    def _empty_is_none(cls, data: Any) -> Any:
        """Treat empty form fields ("buyer=") as not given."""
        if isinstance(data, dict):
            return {key: value for key, value in data.items() if value not in ("", None)}
        return data

    @field_validator("q", "municipality")
    @classmethod
    def _printable(cls, value: str | None) -> str | None:
        """Refuse control characters (a NUL would break PostgreSQL); strip spaces."""
        checked = one_line(value)
        return None if checked is None else checked.strip() or None

    def active(self) -> dict[str, str]:
        """Return the filters in effect as URL parameters (without sort and page)."""
        out: dict[str, str] = {}
        for name in FILTER_FIELDS:
            value = getattr(self, name)
            if value in (None, False):
                continue
            out[name] = "1" if value is True else str(value)
        return out

    def params(self, **changes: object) -> dict[str, str]:
        """Return the URL parameters of this filter with some changed (for sort and page links)."""
        out = self.active()
        out.update(sort=self.sort, order=self.order, page=str(self.page))
        out.update({key: str(value) for key, value in changes.items()})
        if out.get("page") == "1":
            del out["page"]
        return out


def parse_filter(params: dict[str, str]) -> tuple[TenderFilter, list[str]]:
    """Parse URL parameters; on bad values return the default filter and the names of the bad fields."""
    try:
        return TenderFilter.model_validate(params), []
    except ValidationError as exc:
        bad = sorted({str(error["loc"][0]) for error in exc.errors() if error["loc"]})
        kept = {key: value for key, value in params.items() if key not in bad}
        try:
            return TenderFilter.model_validate(kept), bad
        except ValidationError:
            return TenderFilter(), bad
