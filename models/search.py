"""Free-text search: "contains this text", case-insensitive for Swedish letters too, indexed where it counts.

The tender list's `q` matches a notice whose title or description contains the text anywhere (so "städ"
finds "Lokalvårdsstädning"), whatever the case of å, ä, ö and other letters.

* SQLite: `notice_fts`, an FTS5 table with the trigram tokenizer over notice.title and
  notice.description. It is external-content (the text is read from `notice`, not stored twice) and
  kept in step by three triggers on `notice`; migration 0009 creates and fills it. A trigram query
  matches any substring of 3 or more characters with Unicode case folding (no diacritics folding:
  "a" does not find "å"). Shorter text is looked for with GLOB and a character class per cased letter
  ("å" -> "*[Åå]*"), because SQLite's own LIKE and lower() fold ASCII letters only.
* PostgreSQL: ILIKE, which folds case as lower() does in the database's locale (every letter in a
  UTF-8 locale such as sv_SE.UTF-8 or C.UTF-8; only ASCII in the C/POSIX locale). Migration 0009 adds
  pg_trgm GIN indexes on title and description that ILIKE uses; without pg_trgm the same ILIKE scans.

A migration that rebuilds the notice table on SQLite (Alembic batch mode: copy, drop, rename) drops the
triggers with the old table: it must create them again as 0009 does (tests/test_text_search_index.py
fails otherwise).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Integer, String, column, func, or_, select, table

from models.notice import Notice

FTS_TABLE = "notice_fts"
FTS_TRIGGERS = ("notice_fts_insert", "notice_fts_delete", "notice_fts_update")
TRIGRAM_INDEXES = ("ix_notice_title_trgm", "ix_notice_description_trgm")
FTS_MIN_LENGTH = 3  # a trigram index finds text of at least this many characters
_FTS = table(FTS_TABLE, column("rowid", Integer), column(FTS_TABLE, String))  # the hidden MATCH column


def notice_text_condition(q: str, dialect: str) -> ColumnElement[bool]:
    """Return "the notice's title or description contains `q`" for a dialect, through its index."""
    if dialect == "sqlite" and len(q) >= FTS_MIN_LENGTH:
        return Notice.id.in_(select(_FTS.c.rowid).where(_FTS.c[FTS_TABLE].match(fts_phrase(q))))
    return or_(text_contains(Notice.title, q, dialect), text_contains(Notice.description, q, dialect))


def text_contains(text_column: ColumnElement[str], q: str, dialect: str) -> ColumnElement[bool]:
    """Return "`text_column` contains `q`, in any case" by a scan (small tables, short queries)."""
    if dialect == "sqlite":
        return text_column.op("GLOB", is_comparison=True)(glob_pattern(q))
    return text_column.ilike(like_pattern(q))  # PostgreSQL's ILIKE escapes with a backslash


def json_list_contains(list_column: ColumnElement[object], q: str, dialect: str) -> ColumnElement[bool]:
    r"""Return "an item of the JSON list of strings in `list_column` contains `q`, in any case".

    Each item is read decoded, so a keyword stored as "st\u00e4dning" is found by "STÄD".
    """
    if dialect == "sqlite":
        items = func.json_each(list_column).table_valued("value")
    else:
        items = func.json_array_elements_text(list_column).table_valued("value")
    return select(items.c.value).where(text_contains(items.c.value, q, dialect)).exists()


def fts_phrase(q: str) -> str:
    """Quote `q` as one FTS5 string, so that " * ( ) : - ^ AND OR NOT NEAR are only text."""
    return '"' + q.replace('"', '""') + '"'


def like_pattern(q: str) -> str:
    """Return a LIKE pattern (backslash escapes) that finds `q` literally anywhere: % and _ are text."""
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def glob_pattern(q: str) -> str:
    """Return a SQLite GLOB pattern that finds `q` anywhere, each cased letter in any case ("Ö" -> "[Öö]").

    GLOB compares exactly, so the classes do the case folding (one character to one, as str.lower and
    str.upper map it); * ? [ are put in a class of their own to be taken literally.
    """
    parts: list[str] = []
    for char in q:
        cases = sorted({v for v in (char, char.lower(), char.upper(), char.casefold()) if len(v) == 1})
        if len(cases) > 1:
            parts.append("[" + "".join(cases) + "]")
        elif char in "*?[":
            parts.append(f"[{char}]")
        else:
            parts.append(char)
    return "*" + "".join(parts) + "*"


def include_name(name: str | None, type_: str, _parent_names: object) -> bool:
    """Alembic's include_name hook: leave out the search objects that migrations keep outside the models.

    The FTS5 table (and its shadow tables) and the trigram indexes are not SQLAlchemy models, so
    autogenerate would otherwise propose to drop them.
    """
    if name is None:
        return True
    if type_ == "table":
        return not (name == FTS_TABLE or name.startswith(f"{FTS_TABLE}_"))
    return not (type_ == "index" and name in TRIGRAM_INDEXES)
