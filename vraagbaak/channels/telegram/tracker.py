"""What the bridge does with Rasa's conversation store through Rasa's HTTP API (token auth):
seed a new conversation's slots, and forget a conversation on /vergeet.

Forgetting is verified, not assumed. ``PUT /conversations/{id}/tracker/events`` with ``[]``
replaces the stored conversation in tracker stores that save by overwriting (in memory, Redis,
Mongo), but Rasa 3.6's ``SQLTrackerStore.save`` only ever appends events that are not stored
yet, so with SQL the old conversation would survive that call unchanged. The rows are therefore
deleted in the store's database (:mod:`vraagbaak.privacy.tracker_db`: SQLite under `make run`, PostgreSQL under
docker compose), and then Rasa is asked what is left: the bridge reports that it could not
delete rather than claiming it did (see :meth:`RasaTracker.forget`).
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from vraagbaak.privacy.db import DatabaseError
from vraagbaak.privacy.tracker_db import delete_sender_events
from vraagbaak.runtime.rasa import api_token
from vraagbaak.settings import Settings

log = logging.getLogger("vraagbaak.telegram.tracker")

#: Slot names as in bot/domain.yml: the language last seen from the user (a guess, not a choice)
#: and the municipality.
SLOT_DETECTED_LANGUAGE = "detected_language"
SLOT_MUNICIPALITY = "municipality"
#: Events a tracker holds once anything was said; a fresh tracker has only session bookkeeping.
CONVERSATION_EVENTS = frozenset({"user", "bot", "slot"})


class TrackerUnavailable(Exception):
    """Rasa's HTTP API did not answer (down, timeout, refused token)."""


@dataclass
class RasaTracker:
    settings: Settings

    def _call(self, method: str, sender: str, path: str, body: Any = None) -> Any:
        url = (f"{self.settings.rasa_url}/conversations/{urllib.parse.quote(sender, safe='')}/{path}"
               f"?{urllib.parse.urlencode({'token': api_token(self.settings)})}")
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.settings.rasa_timeout) as response:
                return json.loads(response.read().decode("utf-8") or "null")
        except urllib.error.HTTPError as exc:
            raise TrackerUnavailable(f"HTTP {exc.code}") from None  # never the URL: it holds the token
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError, json.JSONDecodeError) as exc:
            raise TrackerUnavailable(type(exc).__name__) from None

    def set_slots(self, sender: str, slots: dict[str, str]) -> bool:
        """Set slots in the conversation (starting it if new); False if Rasa is down.

        The events are sent twice. Rasa stamps them when it reads the request, and only then
        starts a new conversation's session; the SQL store reads a conversation from its latest
        session start on, so for a new conversation the first copy lands before the session and
        is never read back. The second copy follows the session. (Setting a slot twice to the
        same value changes nothing; all of ours leave the dialogue policy alone.)"""
        events = [{"event": "slot", "name": name, "value": value} for name, value in slots.items()]
        try:
            for _ in range(2):
                self._call("POST", sender, "tracker/events", events)
        except TrackerUnavailable as exc:
            log.warning("could not set slots", extra={"sender": sender, "error": str(exc)})
            return False
        return True

    def conversation_events(self, sender: str) -> list[dict[str, Any]]:
        """What Rasa holds for ``sender``: every event of every session, minus the bookkeeping a
        fresh tracker starts with (so: empty for a conversation Rasa does not know)."""
        state = self._call("GET", sender, "tracker")
        events = (state.get("events") or []) if isinstance(state, dict) else []
        return [e for e in events if e.get("event") in CONVERSATION_EVENTS]

    def forget(self, sender: str) -> bool:
        """Delete everything Rasa stores for ``sender``; True only when Rasa then holds nothing.

        The caller must make sure no message of this sender is being handled at the same time:
        Rasa would write that conversation back when it finishes."""
        try:
            self._call("PUT", sender, "tracker/events", [])
        except TrackerUnavailable as exc:
            log.warning("could not replace the conversation", extra={"sender": sender, "error": str(exc)})
        try:
            deleted = delete_sender_events(self.settings, sender)
        except DatabaseError as exc:
            log.error("could not delete from the tracker store's database",
                      extra={"sender": sender, "database": self.settings.tracker_db_shown,
                             "error": str(exc)})
            return False
        try:
            left = self.conversation_events(sender)
        except TrackerUnavailable:
            return deleted is not None  # the database is the truth and its rows are gone
        if left:
            log.error("conversation still stored after forgetting: Rasa's SQL tracker store only "
                      "appends; is VRAAGBAAK_TRACKER_DB the database it uses?",
                      extra={"sender": sender, "database": self.settings.tracker_db_shown,
                             "events_left": len(left)})
            return False
        return True
