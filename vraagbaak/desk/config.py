"""The desk's settings as typed objects: which Telegram group serves which language
(:attr:`Settings.desk_chats`) and when its volunteers are on duty (:attr:`Settings.desk_hours`).

Both are plain strings in the environment; parsing them once here, with the variable's name in
every error, means a typo stops the bridge at start instead of silently leaving a language
without volunteers. Hours are Dutch local time (Europe/Amsterdam), summer time included, since
that is what volunteers write on a rota.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from vraagbaak.languages import LANGUAGES
from vraagbaak.settings import Settings

#: The time zone of ``desk_hours``.
TIMEZONE_NAME = "Europe/Amsterdam"
#: In ``desk_chats`` and ``desk_hours``: every language not named.
ANY_LANGUAGE = "*"

_HOUR = r"(\d{1,2})(?::(\d{2}))?"
_WINDOW = re.compile(rf"{_HOUR}-{_HOUR}")


def local_zone() -> ZoneInfo:
    """Europe/Amsterdam; an image without the time zone database gets a message saying so."""
    try:
        return ZoneInfo(TIMEZONE_NAME)
    except ZoneInfoNotFoundError as exc:
        raise ValueError(f"the time zone {TIMEZONE_NAME} is unknown on this machine: install the tzdata "
                         "package (pip install tzdata, or the system's tzdata)") from exc


def _language(code: str, variable: str) -> str:
    if code != ANY_LANGUAGE and code not in LANGUAGES:
        raise ValueError(f"{variable}: unknown language {code!r}; use one of {', '.join(LANGUAGES)} or "
                         f"{ANY_LANGUAGE} (every other language)")
    return code


def _entries(raw: str, variable: str, example: str) -> list[tuple[str, str]]:
    """``lang:value`` pairs separated by commas, blanks ignored."""
    pairs = []
    for entry in (part.strip() for part in raw.split(",")):
        if not entry:
            continue
        code, colon, value = entry.partition(":")
        if not colon or not value.strip():
            raise ValueError(f"{variable}: {entry!r} is not language:value, as in {example}")
        pairs.append((_language(code.strip(), variable), value.strip()))
    return pairs


# --- which group serves which language ---------------------------------------------------------------
@dataclass(frozen=True)
class DeskChats:
    """The volunteers' Telegram supergroups: one per language, and/or one for the others (``*``)."""

    by_lang: Mapping[str, int] = field(default_factory=dict)
    fallback: int | None = None

    @classmethod
    def parse(cls, raw: str) -> DeskChats:
        variable, example = "VRAAGBAAK_DESK_CHATS", "ti:-1001234,ar:-1005678 or *:-1009999"
        by_lang: dict[str, int] = {}
        fallback = None
        for code, value in _entries(raw, variable, example):
            try:
                chat_id = int(value)
            except ValueError:
                raise ValueError(f"{variable}: {value!r} is not a Telegram chat id (a number such as "
                                 "-1001234567890)") from None
            if code in by_lang or (code == ANY_LANGUAGE and fallback is not None):
                raise ValueError(f"{variable}: {code} is named twice")
            if code == ANY_LANGUAGE:
                fallback = chat_id
            else:
                by_lang[code] = chat_id
        return cls(by_lang, fallback)

    @property
    def enabled(self) -> bool:
        return bool(self.by_lang) or self.fallback is not None

    @property
    def chat_ids(self) -> frozenset[int]:
        """Every configured group: only messages from these are read (:mod:`.volunteers`)."""
        ids = set(self.by_lang.values())
        if self.fallback is not None:
            ids.add(self.fallback)
        return frozenset(ids)

    def chat_for(self, lang: str | None) -> int | None:
        """The group that takes tickets in ``lang``; None when that language has no desk."""
        return self.by_lang.get(lang or "", self.fallback)

    def langs_of(self, chat_id: int) -> tuple[str, ...]:
        """The languages a group takes (all of them for the ``*`` group)."""
        named = tuple(lang for lang in LANGUAGES if self.by_lang.get(lang) == chat_id)
        if chat_id == self.fallback:
            named += tuple(lang for lang in LANGUAGES if lang not in self.by_lang and lang not in named)
        return named


# --- when volunteers are on duty ---------------------------------------------------------------------
@dataclass(frozen=True)
class Window:
    """From ``start`` up to (not including) ``end``, local time; past midnight when end < start."""

    start: time
    end: time | None  # None: until midnight (written 24)

    def contains(self, moment: time) -> bool:
        if self.end is None:
            return moment >= self.start
        if self.start <= self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end


def _clock(hours: str, minutes: str | None, variable: str, written: str) -> time | None:
    hour, minute = int(hours), int(minutes or 0)
    if hour == 24 and minute == 0:
        return None
    if hour > 23 or minute > 59:
        raise ValueError(f"{variable}: {written!r} is not a time of day")
    return time(hour, minute)


def _window(value: str, variable: str) -> Window:
    match = _WINDOW.fullmatch(value)
    if match is None:
        raise ValueError(f"{variable}: {value!r} is not a span of hours such as 09-17 or 18:30-22:00")
    start = _clock(match[1], match[2], variable, value)
    end = _clock(match[3], match[4], variable, value)
    if start is None or start == end:
        raise ValueError(f"{variable}: {value!r} is an empty span")
    return Window(start, end)


@dataclass(frozen=True)
class DeskHours:
    """Per language the spans volunteers are on duty; a language not named (and no ``*``) is
    always on duty. A language named twice (``nl:09-12,nl:13-17``) has both spans."""

    by_lang: Mapping[str, tuple[Window, ...]] = field(default_factory=dict)
    zone: ZoneInfo | None = None

    @classmethod
    def parse(cls, raw: str) -> DeskHours:
        variable = "VRAAGBAAK_DESK_HOURS"
        by_lang: dict[str, tuple[Window, ...]] = {}
        for code, value in _entries(raw, variable, "nl:09-17,ar:10-22,ti:18-22"):
            by_lang[code] = (*by_lang.get(code, ()), _window(value, variable))
        return cls(by_lang, local_zone() if by_lang else None)

    def on_duty(self, lang: str | None, at: datetime | None = None) -> bool:
        """Whether ``lang``'s volunteers are on duty at ``at`` (default now)."""
        windows = self.by_lang.get(lang or "", self.by_lang.get(ANY_LANGUAGE))
        if windows is None or self.zone is None:
            return True
        local = (at or datetime.now(timezone.utc)).astimezone(self.zone).time()
        return any(window.contains(local) for window in windows)


@dataclass(frozen=True)
class DeskConfig:
    chats: DeskChats
    hours: DeskHours
    #: How long a newcomer waits for a first reply before being told honestly.
    timeout: timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> DeskConfig:
        """Raises ValueError, naming the variable, on a value that cannot be used."""
        return cls(DeskChats.parse(settings.desk_chats), DeskHours.parse(settings.desk_hours),
                   timedelta(minutes=settings.desk_timeout_minutes))

    def available(self, lang: str | None, at: datetime | None = None) -> bool:
        """Whether a ticket in ``lang`` can go to volunteers now: a group for it, on duty."""
        return self.chats.chat_for(lang) is not None and self.hours.on_duty(lang, at)
