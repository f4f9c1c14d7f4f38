"""The name a volunteer chose to show newcomers (``/naam Semhar``), never their Telegram name.

A volunteer's Telegram account name can be their full legal name, and newcomers and volunteers
often live in the same small community: so a reply is labelled only with what the volunteer
chose, or with "Volunteer" in the newcomer's language. Rows are keyed by a keyed hash of the
Telegram user id (as :mod:`vraagbaak.channels.telegram.identity` does for newcomers), so the
database never holds a volunteer's Telegram id either.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata

from vraagbaak.desk.database import Database
from vraagbaak.desk.times import now, stamp

#: Volunteer ids start with this, so they are never mistaken for a newcomer's sender id.
VOLUNTEER_PREFIX = "vol-"
MAX_NAME_CHARS = 32
#: Besides letters, combining marks (Arabic vowel signs) and digits: what a nickname may hold.
_PUNCTUATION = frozenset(" .-_'’")


def volunteer_id(user_id: int, key: bytes) -> str:
    """HMAC-SHA256 of the Telegram user id under the bridge's key: stable, unlinkable without it."""
    digest = hmac.new(key, f"telegram-volunteer:{user_id}".encode(), hashlib.sha256).hexdigest()
    return VOLUNTEER_PREFIX + digest[:32]


def clean_name(raw: str) -> str | None:
    """``raw`` as a name fit to show (spaces collapsed), or None: 1-32 characters, letters of any
    script, digits, spaces and ``. - _ '``, at least one letter. No ``@`` or link: a name, not a
    way to find someone's account."""
    name = " ".join(unicodedata.normalize("NFC", raw).split())
    if not 1 <= len(name) <= MAX_NAME_CHARS or not any(char.isalpha() for char in name):
        return None
    if not all(unicodedata.category(char)[0] in "LMN" or char in _PUNCTUATION for char in name):
        return None
    return name


class VolunteerNames:
    def __init__(self, database: Database) -> None:
        self.database = database

    def get(self, volunteer: str) -> str | None:
        row = self.database.query("SELECT name FROM volunteer_names WHERE volunteer = ?", (volunteer,)).first()
        return row["name"] if row else None

    def set(self, volunteer: str, name: str) -> None:
        """Store ``name`` (already :func:`clean_name`-ed) for ``volunteer``, replacing any earlier one."""
        self.database.write("INSERT INTO volunteer_names (volunteer, name, updated_at) VALUES (?, ?, ?) "
                            "ON CONFLICT (volunteer) DO UPDATE SET name = excluded.name, "
                            "updated_at = excluded.updated_at", (volunteer, name, stamp(now())))

    def forget(self, volunteer: str) -> bool:
        return self.database.write("DELETE FROM volunteer_names WHERE volunteer = ?", (volunteer,)).rowcount == 1
