"""Raw published bytes, kept compressed so that every notice can be re-parsed without crawling."""

from __future__ import annotations

import hashlib
import zlib
from datetime import datetime

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, orm_insert_sentinel

from models.base import Base, utcnow


class RawPayload(Base):
    """One input's bytes as fetched or read, zlib-compressed, stored once per distinct content."""

    __tablename__ = "raw_payload"

    id: Mapped[int] = mapped_column(primary_key=True)
    _sentinel: Mapped[int | None] = orm_insert_sentinel()  # batched INSERT…RETURNING on SQLite
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    source_path: Mapped[str] = mapped_column(String(2000))
    size: Mapped[int]
    compressed: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @staticmethod
    def digest(data: bytes) -> str:
        """Return the content key of some bytes (hex SHA-256)."""
        return hashlib.sha256(data).hexdigest()

    @classmethod
    def from_bytes(cls, data: bytes, source_path: str, sha256: str | None = None) -> RawPayload:
        """Build a payload row for bytes read from `source_path`."""
        return cls(
            sha256=sha256 or cls.digest(data),
            source_path=source_path,
            size=len(data),
            compressed=zlib.compress(data, 6),
        )

    def data(self) -> bytes:
        """Return the original bytes."""
        return zlib.decompress(self.compressed)
