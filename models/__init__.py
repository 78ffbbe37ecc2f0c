"""SQLAlchemy models and Alembic migrations; importing the package registers every table."""

from models.base import Base
from models.ingest_log import IngestFailure, IngestRun
from models.notice import Buyer, Lot, Notice, NoticeVersion
from models.payload import RawPayload

__all__ = ["Base", "Buyer", "IngestFailure", "IngestRun", "Lot", "Notice", "NoticeVersion", "RawPayload"]
