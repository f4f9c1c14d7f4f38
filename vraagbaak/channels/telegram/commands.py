"""The bot's commands: what each one does and how the menu describes it, in every language.

Commands relayed to Rasa carry the payload of the matching intent; the others are answered by
the bridge itself (they work even when Rasa is down). The names stay Dutch in every language:
Telegram commands are lowercase Latin, and one set of names is easier to explain on a poster.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import BotCommand

from vraagbaak.assistant import payloads, texts
from vraagbaak.assistant.i18n import Translator

#: Rasa intents the commands trigger (bot/domain.yml); without entities Rasa asks, with buttons.
PAYLOAD_GREET = payloads.GREET
PAYLOAD_CHOOSE_LANGUAGE = payloads.CHOOSE_LANGUAGE
PAYLOAD_CHOOSE_MUNICIPALITY = payloads.CHOOSE_MUNICIPALITY
PAYLOAD_HUMAN = payloads.HUMAN
PAYLOAD_DESK_DONE = payloads.DESK_DONE


@dataclass(frozen=True)
class Command:
    name: str
    #: The menu's description (a gettext message id).
    description: str
    #: The Rasa payload it sends; None when the bridge answers it itself.
    payload: str | None = None


START = Command("start", texts.COMMAND_START, PAYLOAD_GREET)
LANGUAGE = Command("taal", texts.COMMAND_LANGUAGE, PAYLOAD_CHOOSE_LANGUAGE)
MUNICIPALITY = Command("gemeente", texts.COMMAND_MUNICIPALITY, PAYLOAD_CHOOSE_MUNICIPALITY)
HELP = Command("help", texts.COMMAND_HELP)
HUMAN = Command("mens", texts.BUTTON_HUMAN, PAYLOAD_HUMAN)
PRIVACY = Command("privacy", texts.COMMAND_PRIVACY)
FORGET = Command("vergeet", texts.COMMAND_FORGET)
#: Ends a conversation with a volunteer (the same word volunteers use to close a ticket).
DONE = Command("klaar", texts.COMMAND_DONE, PAYLOAD_DESK_DONE)

#: In menu order.
COMMANDS: tuple[Command, ...] = (START, LANGUAGE, MUNICIPALITY, HELP, HUMAN, DONE, PRIVACY, FORGET)
#: Relayed to Rasa as they are (/start has its own handler: it seeds the conversation first).
RELAYED: tuple[Command, ...] = (LANGUAGE, MUNICIPALITY, HUMAN, DONE)


def shown(with_desk: bool) -> tuple[Command, ...]:
    """The commands to show: /klaar only where volunteers can take a conversation."""
    return tuple(c for c in COMMANDS if with_desk or c is not DONE)


def menu(t: Translator, with_desk: bool = True) -> list[BotCommand]:
    """The command menu Telegram shows next to the text field, in ``t``'s language."""
    return [BotCommand(c.name, t(c.description)) for c in shown(with_desk)]


def command_list(t: Translator, with_desk: bool = True) -> str:
    """The commands as lines for /help: ``/taal – Choose your language``."""
    return "\n".join(f"/{c.name} – {t(c.description)}" for c in shown(with_desk))
