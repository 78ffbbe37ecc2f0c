"""SQLAlchemy models and Alembic migrations; importing the package registers every table."""

from models.base import Base
from models.company import Company, Municipality, NetworkLink
from models.crawl_state import CrawlRun, SourceState
from models.delivery import DigestDelivery, DigestItem
from models.ingest_log import IngestFailure, IngestRun
from models.matching import ConsortiumEvent, ConsortiumSuggestion, MatchResult
from models.notice import Buyer, Lot, Notice, NoticeVersion
from models.payload import RawPayload
from models.tag import NoticeTag, TaggingState
from models.user import LoginAttempt, User, UserSession

__all__ = [
    "Base",
    "Buyer",
    "Company",
    "ConsortiumEvent",
    "ConsortiumSuggestion",
    "CrawlRun",
    "DigestDelivery",
    "DigestItem",
    "IngestFailure",
    "IngestRun",
    "LoginAttempt",
    "Lot",
    "MatchResult",
    "Municipality",
    "NetworkLink",
    "Notice",
    "NoticeTag",
    "NoticeVersion",
    "RawPayload",
    "SourceState",
    "TaggingState",
    "User",
    "UserSession",
]
