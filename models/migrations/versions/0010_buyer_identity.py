"""one buyer per organisation number, whatever form it was written in

"SE-BLV-212000-2726" (OCDS, org-id.guide scheme of Bolagsverket), "SE-ORG-…", "SE212000272601" (VAT)
and "2120002726" are one Swedish organisation (and likewise NO-BRC, DK-CVR and FI-PRO numbers), so
buyers stored under these forms are merged: their notices move to one buyer, which is keyed and
written as models.identifiers reads the number ("SE:id:2120002726", "212000-2726"). The only
reference to a buyer is notice.buyer_id, and a buyer row holds nothing but what parsing gave it.

Downgrade splits the buyers again by the old key of each notice's stored record (the record keeps the
identifier as parsed), so every notice is again under the buyer the old code gives it; a buyer made
again gets a new id, and its fields are those of its first notice's record.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 10:00:00.000000
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa
from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

buyer = sa.table(
    'buyer',
    sa.column('id', sa.Integer),
    sa.column('key', sa.String),
    sa.column('name', sa.String),
    sa.column('identifier', sa.String),
    sa.column('country', sa.String),
    sa.column('nuts', sa.String),
    sa.column('city', sa.String),
)
notice = sa.table(
    'notice', sa.column('id', sa.Integer), sa.column('buyer_id', sa.Integer), sa.column('record', sa.JSON)
)
FIELDS = ('name', 'identifier', 'country', 'nuts', 'city')
KEY_LENGTH = 500

# What models.identifiers computes, as it stood at this revision.
_SEPARATORS = re.compile(r"[\s\-.]")
_SCHEMED = re.compile(r"([A-Za-z]{2})-([A-Za-z]{2,6})[-:\s]\s*(\S.*)")
_REGISTERS: dict[str, tuple[frozenset[str], re.Pattern[str], re.Pattern[str], Callable[[str], str]]] = {
    'SE': (frozenset({'SE-BLV', 'SE-ORG'}), re.compile(r"\d{10}"), re.compile(r"SE(\d{10})(?:01)?"),
           lambda number: f"{number[:6]}-{number[6:]}"),
    'NO': (frozenset({'NO-BRC'}), re.compile(r"\d{9}"), re.compile(r"NO(\d{9})(?:MVA)?"), lambda number: number),
    'DK': (frozenset({'DK-CVR'}), re.compile(r"\d{8}"), re.compile(r"DK(\d{8})"), lambda number: number),
    'FI': (frozenset({'FI-PRO'}), re.compile(r"\d{8}"), re.compile(r"FI(\d{8})"),
           lambda number: f"{number[:7]}-{number[7:]}"),
}


def _national(raw: str, compact: str, country: str | None) -> tuple[str, str] | None:
    schemed = _SCHEMED.fullmatch(raw)
    if schemed is not None:
        prefix = schemed.group(1).upper()
        register = _REGISTERS.get(prefix)
        if register is None or country not in (None, prefix):
            return None
        if f"{prefix}-{schemed.group(2).upper()}" not in register[0]:
            return None
        number = _SEPARATORS.sub('', schemed.group(3))
        return (prefix, number) if register[1].fullmatch(number) else None
    prefix = compact[:2]
    register = _REGISTERS.get(prefix)
    if register is not None and country in (None, prefix) and (vat := register[2].fullmatch(compact)):
        return prefix, vat.group(1)
    register = _REGISTERS.get(country or '')
    if register is not None and register[1].fullmatch(compact):
        return country, compact
    return None


def _identity(identifier: str | None, country: str | None) -> tuple[str | None, str, str] | None:
    """Return (country, compared value, display form) of an identifier, None when it is empty."""
    raw = (identifier or '').strip()
    if not raw:
        return None
    country = (country or '').strip().upper() or None
    compact = _SEPARATORS.sub('', raw)
    found = _national(raw, compact.upper(), country)
    if found is not None:
        return found[0], found[1], _REGISTERS[found[0]][3](found[1])
    return country, compact.lower(), raw


def new_key(identifier: str | None, country: str | None, name: str | None) -> str | None:
    """The buyer key from this revision on (models.identifiers.identity_key)."""
    found = _identity(identifier, country)
    if found is not None:
        return f"{found[0] or '-'}:id:{found[1]}"[:KEY_LENGTH]
    if name and name.strip():
        return f"{country or '-'}:name:{name.strip().lower()}"[:KEY_LENGTH]
    return None


def old_key(identifier: str | None, country: str | None, name: str | None) -> str | None:
    """The buyer key before this revision (models.store.buyer_key at 0009)."""
    compact = re.sub(r"[\s\-.]", '', identifier or '').lower()
    if compact:
        return f"{country or '-'}:id:{compact}"[:KEY_LENGTH]
    if name:
        return f"{country or '-'}:name:{name.strip().lower()}"[:KEY_LENGTH]
    return None


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(buyer).order_by(buyer.c.id)).mappings().all()
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for row in rows:
        key = new_key(row['identifier'], row['country'], row['name']) or row['key']
        groups.setdefault(key, []).append(row)
    keys: dict[int, str] = {}
    changes: dict[int, dict[str, Any]] = {}
    for key, members in groups.items():
        kept = next((row for row in members if row['key'] == key), members[0])
        for other in members:
            if other['id'] != kept['id']:
                bind.execute(notice.update().where(notice.c.buyer_id == other['id']).values(buyer_id=kept['id']))
                bind.execute(buyer.delete().where(buyer.c.id == other['id']))
        values = {  # what the kept row lacks, from the rows merged into it
            field: next((row[field] for row in members if row[field] is not None), None)
            for field in FIELDS
            if kept[field] is None
        }
        found = _identity(kept['identifier'], kept['country'])
        if found is not None and found[2] != kept['identifier']:
            values['identifier'] = found[2]
        if key != kept['key']:
            keys[kept['id']] = key
        if values:
            changes[kept['id']] = values
    for buyer_id, values in changes.items():
        bind.execute(buyer.update().where(buyer.c.id == buyer_id).values(**values))
    _set_keys(bind, keys)


def downgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(buyer).order_by(buyer.c.id)).mappings().all()
    # per buyer, its notices grouped by the old key of their records, in notice order
    found: dict[int, dict[str, list[tuple[int, Mapping[str, Any]]]]] = {}
    query = sa.select(notice.c.id, notice.c.buyer_id, notice.c.record).where(notice.c.buyer_id.is_not(None))
    for notice_id, buyer_id, record in bind.execute(query.order_by(notice.c.id)):
        source = (record or {}).get('buyer') or {}
        key = old_key(source.get('identifier'), source.get('country'), source.get('name'))
        if key is not None:
            found.setdefault(buyer_id, {}).setdefault(key, []).append((notice_id, source))
    planned: dict[str, int] = {}  # old key -> the buyer that gets it
    for row in rows:  # each buyer keeps the group of its own key, else of its first notice
        groups = found.get(row['id'])
        if groups:
            first = row['key'] if row['key'] in groups else next(iter(groups))
            planned.setdefault(first, row['id'])
            identifier = groups[first][0][1].get('identifier')
            bind.execute(buyer.update().where(buyer.c.id == row['id']).values(identifier=identifier))
    for row in rows:  # a buyer without notices gets its old key back from its own identifier
        key = old_key(row['identifier'], row['country'], row['name'])
        if row['id'] not in found and key is not None and key not in planned:
            planned[key] = row['id']
    for buyer_id, groups in found.items():  # the other groups go to their own buyers again
        for key, members in groups.items():
            if planned.get(key) == buyer_id:
                continue
            if key not in planned:
                source = members[0][1]
                values = {field: source.get(field) for field in FIELDS}
                made = f'~new-{len(planned)}'  # the lightweight table knows no primary key to return
                bind.execute(buyer.insert().values(key=made, **values))
                planned[key] = bind.execute(sa.select(buyer.c.id).where(buyer.c.key == made)).scalar_one()
            notice_ids = [notice_id for notice_id, _ in members]
            bind.execute(notice.update().where(notice.c.id.in_(notice_ids)).values(buyer_id=planned[key]))
    current = {row['id']: row['key'] for row in rows}
    _set_keys(bind, {buyer_id: key for key, buyer_id in planned.items() if current.get(buyer_id) != key})


def _set_keys(bind: sa.Connection, keys: dict[int, str]) -> None:
    """Give buyers their new keys in two steps, so that no step breaks the unique key."""
    for buyer_id in keys:
        bind.execute(buyer.update().where(buyer.c.id == buyer_id).values(key=f'~{buyer_id}'))
    for buyer_id, key in keys.items():
        bind.execute(buyer.update().where(buyer.c.id == buyer_id).values(key=key))
