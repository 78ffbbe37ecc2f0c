"""SQLAlchemy models and Alembic migrations; importing the package registers every table."""

from models.base import Base
from models.crawl_state import CrawlRun, SourceState
from models.ingest_log import IngestFailure, IngestRun
from models.notice import Buyer, Lot, Notice, NoticeVersion
from models.payload import RawPayload
from models.tag import NoticeTag, TaggingState

__all__ = [
    "Base",
    "Buyer",
    "CrawlRun",
    "IngestFailure",
    "IngestRun",
    "Lot",
    "Notice",
    "NoticeTag",
    "NoticeVersion",
    "RawPayload",
    "SourceState",
    "TaggingState",
]
