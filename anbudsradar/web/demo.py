"""The demo's web login: one coordinator with a published password, for the demo database only."""

from __future__ import annotations

from sqlalchemy import select

from anbudsradar.web.auth import create_user
from models.db import database
from models.user import User

DEMO_USERNAME = "demo"
# Printed by the demo so that anyone trying it can log in; never use the demo database for real data.
DEMO_PASSWORD = "demo-samordnare"  # noqa: S105 - a published demo password, on purpose


def ensure_demo_user(database_url: str) -> tuple[str, str]:
    """Create the demo coordinator if missing; return (user name, password) to print."""
    with database(database_url) as sessions, sessions() as session:
        if session.scalar(select(User.id).where(User.username == DEMO_USERNAME)) is None:
            create_user(session, DEMO_USERNAME, DEMO_PASSWORD, "Demosamordnare")
            session.commit()
    return DEMO_USERNAME, DEMO_PASSWORD
