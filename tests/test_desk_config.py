"""The desk's settings (which group takes which language, when volunteers are on duty) and
`vraagbaak desk status`, over the real desk store in a SQLite file."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from vraagbaak.cli import main
from vraagbaak.desk.config import DeskChats, DeskConfig, DeskHours
from vraagbaak.desk.database import open_database
from vraagbaak.desk.status import desk_status, render_status
from vraagbaak.desk.tickets import TicketStore
from vraagbaak.desk.times import stamp
from vraagbaak.settings import Settings

# 2026-07-01 is summer time (UTC+2), 2026-12-01 winter time (UTC+1) in Amsterdam.
SUMMER_NOON_UTC = datetime(2026, 7, 1, 10, 0, tzinfo=timezone.utc)  # 12:00 in Amsterdam
WINTER_NOON_UTC = datetime(2026, 12, 1, 11, 0, tzinfo=timezone.utc)  # 12:00 in Amsterdam


# --- desk_chats --------------------------------------------------------------------------------------
def test_a_group_per_language_and_one_for_the_others() -> None:
    chats = DeskChats.parse("ti:-1001234, ar:-1005678,*:-1009999")
    assert chats.chat_for("ti") == -1001234 and chats.chat_for("ar") == -1005678
    assert chats.chat_for("nl") == chats.chat_for("en") == chats.chat_for(None) == -1009999
    assert chats.chat_ids == frozenset({-1001234, -1005678, -1009999})
    assert chats.langs_of(-1001234) == ("ti",)
    assert chats.langs_of(-1009999) == ("nl", "en")
    assert chats.enabled


def test_one_group_for_all_languages_and_no_desk_at_all() -> None:
    everyone = DeskChats.parse("*:-1009999")
    assert {everyone.chat_for(lang) for lang in ("nl", "en", "ar", "ti")} == {-1009999}
    assert everyone.langs_of(-1009999) == ("nl", "en", "ar", "ti")
    only_ti = DeskChats.parse("ti:-1001234")
    assert only_ti.chat_for("nl") is None
    nothing = DeskChats.parse("")
    assert not nothing.enabled and nothing.chat_for("ti") is None and nothing.chat_ids == frozenset()


@pytest.mark.parametrize(("raw", "says"), [
    ("fr:-100", "unknown language 'fr'"),
    ("ti=-100", "not language:value"),
    ("ti:group", "not a Telegram chat id"),
    ("ti:-100,ti:-200", "ti is named twice"),
    ("*:-100,*:-200", "* is named twice"),
])
def test_a_wrong_desk_chats_value_is_named(raw: str, says: str) -> None:
    with pytest.raises(ValueError, match="VRAAGBAAK_DESK_CHATS") as caught:
        DeskChats.parse(raw)
    assert says in str(caught.value)


# --- desk_hours --------------------------------------------------------------------------------------
def at_amsterdam(day: datetime, hour: int, minute: int = 0) -> datetime:
    """``hour:minute`` in Amsterdam on ``day``'s date, as UTC: the offset of that date."""
    offset = 2 if day.month == 7 else 1
    return day.replace(hour=0, minute=0) + timedelta(hours=hour - offset, minutes=minute)


@pytest.mark.parametrize("day", [SUMMER_NOON_UTC, WINTER_NOON_UTC], ids=["summer", "winter"])
def test_hours_are_amsterdam_time_summer_and_winter(day: datetime) -> None:
    hours = DeskHours.parse("nl:09-17,ti:18:30-22")
    assert hours.on_duty("nl", at_amsterdam(day, 9))
    assert hours.on_duty("nl", at_amsterdam(day, 16, 59))
    assert not hours.on_duty("nl", at_amsterdam(day, 17))  # the end is not included
    assert not hours.on_duty("nl", at_amsterdam(day, 8, 59))
    assert not hours.on_duty("ti", at_amsterdam(day, 18, 29))
    assert hours.on_duty("ti", at_amsterdam(day, 18, 30))
    assert hours.on_duty("ar", at_amsterdam(day, 3))  # not named: always on duty


def test_spans_past_midnight_until_midnight_and_split_days() -> None:
    hours = DeskHours.parse("ar:20-02,en:18-24,nl:09-12,nl:13-17,*:10-11")
    day = WINTER_NOON_UTC
    assert hours.on_duty("ar", at_amsterdam(day, 23)) and hours.on_duty("ar", at_amsterdam(day, 1, 59))
    assert not hours.on_duty("ar", at_amsterdam(day, 2)) and not hours.on_duty("ar", at_amsterdam(day, 12))
    assert hours.on_duty("en", at_amsterdam(day, 23, 59)) and not hours.on_duty("en", at_amsterdam(day, 0))
    assert hours.on_duty("nl", at_amsterdam(day, 11)) and not hours.on_duty("nl", at_amsterdam(day, 12, 30))
    assert hours.on_duty("nl", at_amsterdam(day, 13))
    assert hours.on_duty("ti", at_amsterdam(day, 10, 30)) and not hours.on_duty("ti", at_amsterdam(day, 12))


def test_no_hours_means_always_on_duty() -> None:
    hours = DeskHours.parse("")
    assert all(hours.on_duty(lang, WINTER_NOON_UTC + timedelta(hours=h)) for lang in ("nl", "ti") for h in range(24))


@pytest.mark.parametrize(("raw", "says"), [
    ("nl:9-25", "not a time of day"),
    ("nl:09-09", "empty span"),
    ("nl:morning", "not a span of hours"),
    ("xx:09-17", "unknown language"),
])
def test_a_wrong_desk_hours_value_is_named(raw: str, says: str) -> None:
    with pytest.raises(ValueError, match="VRAAGBAAK_DESK_HOURS") as caught:
        DeskHours.parse(raw)
    assert says in str(caught.value)


def test_available_needs_a_group_and_duty() -> None:
    settings = replace(Settings(), desk_chats="ti:-1001234", desk_hours="ti:18-22", desk_timeout_minutes=7)
    config = DeskConfig.from_settings(settings)
    assert config.timeout == timedelta(minutes=7)
    assert config.available("ti", at_amsterdam(WINTER_NOON_UTC, 19))
    assert not config.available("ti", at_amsterdam(WINTER_NOON_UTC, 12))  # off duty
    assert not config.available("nl", at_amsterdam(WINTER_NOON_UTC, 19))  # no group


# --- desk status -------------------------------------------------------------------------------------
def test_desk_status_counts_open_tickets_waits_and_answered_share(tmp_path: Path) -> None:
    settings = replace(Settings(), var_dir=tmp_path / "var", database_url="",
                       desk_chats="ti:-1001234,*:-1009999", desk_hours="ti:18-22")
    now = at_amsterdam(WINTER_NOON_UTC, 12)
    database = open_database(settings)
    store = TicketStore(database)
    waiting = store.open("tg-a", "telegram", "ti", "enschede", "zorgtoeslag")
    answered = store.open("web-b", "web", "ti", None, None)
    store.mark_first_reply(answered.id)
    closed = store.open("web-c", "web", "ar", None, None)
    store.close(closed.id)
    database.write("UPDATE tickets SET created_at = ?", (stamp(now - timedelta(minutes=75)),))
    stats = store.stats(now)
    database.close()

    config = DeskConfig.from_settings(settings)
    lines = {line.lang: line for line in desk_status(stats, config, now)}
    assert list(lines) == ["nl", "en", "ar", "ti"]
    ti = lines["ti"]
    assert ti.group == -1001234 and not ti.on_duty  # 12:00, the ti desk is on from 18:00
    assert ti.stats is not None and ti.stats.open_tickets == 2 and ti.stats.answered_share == 0.5
    assert ti.stats.oldest_wait_s == 75 * 60
    assert lines["ar"].stats is not None and lines["ar"].stats.open_tickets == 0
    assert lines["ar"].stats.answered_share == 0.0
    assert lines["nl"].stats is None and lines["nl"].on_duty and lines["nl"].group == -1009999

    table = render_status(list(lines.values()), now, config).splitlines()
    assert table[0] == "Volunteers' desk, 2026-12-01 12:00 (Europe/Amsterdam)"
    ti_row = next(row for row in table if row.startswith("ti "))
    assert ti_row.split() == ["ti", "-1001234", "no", "2", "1", "h", "15", "min", "50%"]
    nl_row = next(row for row in table if row.startswith("nl "))
    assert nl_row.split() == ["nl", "-1009999", "yes", "0", "-", "-"]
    assert waiting.sender not in "\n".join(table)


def test_desk_status_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("VRAAGBAAK_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("VRAAGBAAK_DESK_CHATS", "ar:-1005678")
    monkeypatch.delenv("VRAAGBAAK_DATABASE_URL", raising=False)
    assert main(["desk", "status"]) == 0  # no database yet: nothing open, and no file made
    assert not (tmp_path / "var" / "vraagbaak.sqlite3").exists()
    out = capsys.readouterr().out
    assert next(row for row in out.splitlines() if row.startswith("ar ")).split()[:4] == ["ar", "-1005678", "yes", "0"]
    assert next(row for row in out.splitlines() if row.startswith("ti ")).split()[:4] == ["ti", "no", "desk", "no"]

    settings = Settings.from_env()
    database = open_database(settings)
    TicketStore(database).open("tg-x", "telegram", "ar", None, None)
    database.close()
    assert main(["desk", "status"]) == 0
    out = capsys.readouterr().out
    assert next(row for row in out.splitlines() if row.startswith("ar ")).split()[3] == "1"
    assert "tg-x" not in out

    monkeypatch.setenv("VRAAGBAAK_DESK_HOURS", "ar:late")
    assert main(["desk", "status"]) == 1
    assert "VRAAGBAAK_DESK_HOURS" in capsys.readouterr().err
