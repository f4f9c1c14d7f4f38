"""How the desk's tables store a moment: UTC text to the second, the same in SQLite and
PostgreSQL, so that stamps sort (and compare with ``<``) as text in both."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone


def stamp(moment: datetime) -> str:
    """A time as stored in ``created_at`` (and the desk's other time columns)."""
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def now() -> datetime:
    return datetime.now(timezone.utc)


def parse(text: str | None) -> datetime | None:
    """A stored stamp back as an aware datetime; None stays None."""
    return None if text is None else datetime.fromisoformat(text)


def days_before(days: int, moment: datetime | None = None) -> str:
    """The stamp ``days`` days before ``moment`` (default: now): a retention cutoff."""
    if days < 1:
        raise ValueError(f"a retention period must be at least 1 day, got {days}")
    return stamp((moment or now()) - timedelta(days=days))
