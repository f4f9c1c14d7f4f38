"""The newcomer's side of the desk, for Rasa's actions: open a ticket, pause, resume.

The user agreed to a volunteer (``/desk_consent``, after :meth:`Assistant.handoff` said what that
means): :meth:`Handoff.open` opens a ticket with the conversation so far and the assistant goes
quiet. While the ticket is open :meth:`Handoff.during` reads every typed message: the safety
check first (someone in danger gets 112 or the crisis line at once, and volunteers see that the
assistant said so), then the message is stored for the volunteers and the assistant says nothing.
"Done" (``/desk_done``, or ``/klaar`` in Telegram) closes it (:meth:`Handoff.close`); so does a
volunteer's ``/klaar``, which the next message notices.

Only the database connects the two sides: what is stored here, the Telegram bridge posts in the
volunteers' topic (:meth:`vraagbaak.desk.volunteers.VolunteerDesk.tick`), and the volunteers'
answers come back through the outbox or the bridge (:mod:`vraagbaak.desk.delivery`). So no
channel knows about another, and Rasa stays in charge of the conversation.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from vraagbaak.assistant import texts
from vraagbaak.assistant.replies import Assistant, Context, Reply, Response, Turn, done_button, feedback_buttons
from vraagbaak.desk.tickets import CHANNELS, Ticket, TicketStore

log = logging.getLogger("vraagbaak.desk")

#: ``custom.vraagbaak`` of the empty reply to a message passed on to the volunteers: the
#: channels show nothing (Rasa must send something, or the gateway would apologise).
KIND_RELAYED = "desk_relayed"
KIND_OPENED = "desk_opened"
KIND_ALREADY_OPEN = "desk_already_open"
KIND_CLOSED_BY_NEWCOMER = "desk_closed_by_newcomer"
#: The slot that holds the open ticket's number (bot/domain.yml).
SLOT = "desk_ticket"
#: Buttons that mean "a person" while a volunteer already has the conversation.
_ASKING_AGAIN = frozenset({"request_human", "desk_consent"})
#: What the volunteers see of the conversation before the ticket: its last messages.
HISTORY_MESSAGES = 6


def ticket_topic(article_id: str | None) -> str | None:
    """The topic in the volunteers' topic title: the last article's name (``zorgtoeslag``), never
    the user's own words (a title is shown in every volunteer's list of topics)."""
    return article_id.rsplit("/", 1)[-1] if article_id else None


@dataclass
class Handoff:
    assistant: Assistant
    store: TicketStore

    @classmethod
    def of(cls, assistant: Assistant) -> Handoff:
        """Over the assistant's own records database, where tickets live too."""
        return cls(assistant, TicketStore(assistant.records.database))

    def open_ticket(self, ticket_id: Any, sender: str) -> Ticket | None:
        """The ticket in the slot, if it is still open and this sender's."""
        try:
            number = int(ticket_id)
        except (TypeError, ValueError):
            return None
        ticket = self.store.get(number)
        return ticket if ticket is not None and ticket.is_open and ticket.sender == sender else None

    def open(self, sender: str, channel: str | None, context: Context,
             history: list[tuple[str, str]]) -> Response:
        """Yes to a volunteer: a ticket (the one already open, if any) with the conversation so
        far (``(author, text)``, oldest first), and the assistant pauses."""
        t = self.assistant.t(context.lang)
        if not self.assistant.desk_offered(context.lang):  # the desk changed since the question
            return Response(self.assistant.handoff(context, None), {}, "request_human")
        ticket = self.store.open(sender, channel if channel in CHANNELS else "web", context.lang,
                                 self.assistant._local(context), ticket_topic(context.last_article_id))
        if not self.store.messages(ticket.id):
            for author, text in history[-HISTORY_MESSAGES:]:
                self.store.add_message(ticket.id, author, text)
        assert self.assistant.desk is not None  # desk_offered
        on_duty = self.assistant.desk.hours.on_duty(context.lang)
        if on_duty:
            text = t(texts.DESK_OPENED)
        else:
            text = f"{t(texts.DESK_OPENED_OFF_DUTY)}\n\n{self.assistant.human_offer(context)}"
        custom = {"vraagbaak": KIND_OPENED, "lang": context.lang, "ticket": ticket.id, "on_duty": on_duty}
        return Response([Reply(text, (done_button(self.assistant.t(context.lang)),), custom)],
                        {SLOT: str(ticket.id)}, KIND_OPENED)

    def close(self, sender: str, ticket_id: Any, context: Context) -> Response:
        """Done: the ticket closed (the bridge closes its topic), the assistant back, and the
        question whether the volunteer helped."""
        ticket = self.open_ticket(ticket_id, sender) or self.store.open_for(sender)
        if ticket is None:  # "done" without a volunteer (the Telegram command, an old button)
            return Response(self.assistant.help(context), {SLOT: None}, "help")
        self.store.close(ticket.id)
        t = self.assistant.t(context.lang)
        reply = Reply(t(texts.DESK_CLOSED_BY_YOU), feedback_buttons(self.assistant.t(context.lang)),
                      {"vraagbaak": KIND_CLOSED_BY_NEWCOMER, "lang": context.lang, "ticket": ticket.id})
        # Feedback now refers to the volunteer's help, not to the article before it.
        return Response([reply], {SLOT: None, "last_article_id": None, "last_question": None},
                        KIND_CLOSED_BY_NEWCOMER)

    def during(self, ticket: Ticket, turn: Turn, context: Context) -> Response | None:
        """A message while the ticket is open; None for what the assistant itself should answer
        as usual (a button of an earlier answer: another article, a language, feedback)."""
        if turn.is_payload:
            if turn.intent in _ASKING_AGAIN:
                t = self.assistant.t(context.lang)
                return Response([Reply(t(texts.DESK_ALREADY_OPEN), (done_button(self.assistant.t(context.lang)),),
                                       {"vraagbaak": KIND_ALREADY_OPEN, "lang": context.lang, "ticket": ticket.id})],
                                {}, KIND_ALREADY_OPEN)
            return None
        self.store.add_message(ticket.id, "newcomer", turn.text)
        result = self.assistant.search(turn.text, context)
        if result.danger is not None:
            replies = self.assistant.emergency(context, result.danger.need, result.danger.evidence)
            for reply in replies:  # the volunteers see that the assistant gave the numbers to call
                if reply.text:
                    self.store.add_message(ticket.id, "assistant", reply.text)
            log.info("emergency during a ticket", extra={"ticket": ticket.id, "need": result.danger.need})
            return Response(replies, {}, "emergency", result)
        return Response([Reply(custom={"vraagbaak": KIND_RELAYED, "ticket": ticket.id})], {}, KIND_RELAYED)
