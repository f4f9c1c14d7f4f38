"""The widget's "new conversation" on the server: ``POST /api/forget`` deletes the old
conversation from Rasa's tracker store, as /vergeet does on Telegram (the same
:func:`~vraagbaak.privacy.tracker_db.delete_sender_events`), and what the volunteers' desk kept
of it (tickets, their messages, pushed messages: :func:`vraagbaak.desk.forget.forget_sender`).

The route is public, so it only takes the widget's own sender ids: "web-" and 128 random bits
in hex, made in the browser (widget.js ``newSender``) and known to nobody else. Nobody can guess
another user's id, a Telegram conversation ("tg-...") cannot be named at all, and the answer is
the same whether the conversation existed or not, so the route tells nothing about who talked.
"""

from __future__ import annotations

import logging
import re

from vraagbaak.desk.forget import forget_sender
from vraagbaak.privacy.db import DatabaseError
from vraagbaak.privacy.tracker_db import delete_sender_events
from vraagbaak.settings import Settings

log = logging.getLogger("vraagbaak.forget")

#: The sender ids widget.js makes (``newSender``): nothing else may be deleted through the route.
WIDGET_SENDER = re.compile(r"web-[0-9a-f]{32}")


def is_widget_sender(sender: object) -> bool:
    return isinstance(sender, str) and WIDGET_SENDER.fullmatch(sender) is not None


def forget_widget_conversation(settings: Settings, sender: str) -> bool:
    """Delete ``sender``'s conversation; True when the tracker store holds none of it now (also
    when it never held any). False when the database failed, or does not exist: then this server
    looks in another place than Rasa stores (VRAAGBAAK_TRACKER_DB), and gone is not proven."""
    if not is_widget_sender(sender):
        raise ValueError("not a sender id of the widget")
    try:
        deleted = delete_sender_events(settings, sender)
    except DatabaseError as exc:
        log.error("could not delete a web conversation from the tracker store's database",
                  extra={"database": settings.tracker_db_shown, "error": str(exc)})
        return False
    if deleted is None:
        log.error("no tracker store database to delete a web conversation from: is VRAAGBAAK_TRACKER_DB "
                  "the database Rasa uses?", extra={"database": settings.tracker_db_shown})
        return False
    try:
        forget_sender(settings, sender)
    except DatabaseError as exc:
        log.error("could not delete a web conversation's tickets and pushed messages",
                  extra={"error": str(exc)})
        return False
    return True
