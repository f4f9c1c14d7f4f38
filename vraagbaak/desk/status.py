"""`vraagbaak desk status`: per language, whether a group takes its tickets and is on duty now,
how many tickets are open, how long the longest-waiting newcomer has waited for a first reply,
and which share of the tickets a volunteer answered. For coordinators, who decide where more
volunteers are needed; it shows numbers only, never a ticket's text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from vraagbaak.desk.config import TIMEZONE_NAME, DeskConfig, local_zone
from vraagbaak.desk.tickets import LanguageStats
from vraagbaak.desk.times import now
from vraagbaak.languages import LANGUAGES


@dataclass(frozen=True)
class DeskLine:
    lang: str
    #: The group that takes this language's tickets; None: no desk for it.
    group: int | None
    on_duty: bool
    stats: LanguageStats | None  # None: no tickets stored


def desk_status(stats: Mapping[str, LanguageStats], config: DeskConfig, at: datetime | None = None) -> list[DeskLine]:
    """A line per language we speak, and one for tickets without a language (``?``) if any;
    ``stats``: :meth:`TicketStore.stats` at the same moment."""
    moment = at or now()
    langs = list(LANGUAGES) + [lang for lang in stats if lang not in LANGUAGES]
    return [DeskLine(lang, config.chats.chat_for(None if lang == "?" else lang),
                     config.available(None if lang == "?" else lang, moment), stats.get(lang)) for lang in langs]


def _wait(seconds: int) -> str:
    if seconds == 0:
        return "-"
    minutes = seconds // 60
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"


def render_status(lines: list[DeskLine], at: datetime, config: DeskConfig) -> str:
    local = at.astimezone(config.hours.zone or local_zone())
    header = f"{'lang':<5} {'group':<16} {'on duty':<8} {'open':>5}  {'longest wait':<13} answered"
    rows = [f"Volunteers' desk, {local:%Y-%m-%d %H:%M} ({TIMEZONE_NAME})", "", header]
    for line in lines:
        stats = line.stats
        share = f"{stats.answered_share:.0%}" if stats and stats.answered_share is not None else "-"
        rows.append(f"{line.lang:<5} {line.group if line.group is not None else 'no desk':<16} "
                    f"{('yes' if line.on_duty else 'no'):<8} {stats.open_tickets if stats else 0:>5}  "
                    f"{_wait(stats.oldest_wait_s) if stats else '-':<13} {share}")
    if not config.chats.enabled:
        rows += ["", "No desk configured: set VRAAGBAAK_DESK_CHATS (README, the volunteers' desk)."]
    return "\n".join(rows)
