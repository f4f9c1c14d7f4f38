"""Structured logs: one JSON object a line, with the call site's fields."""

from __future__ import annotations

import json
import logging

from vraagbaak.logs import JsonFormatter


def test_a_record_becomes_one_json_line_with_its_extra_fields() -> None:
    record = logging.LogRecord("vraagbaak.actions", logging.INFO, __file__, 1, "answered %s", ("ok",), None)
    record.article_id = "werk/cv"
    record.confidence = 0.91
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["event"] == "answered ok" and entry["level"] == "info" and entry["logger"] == "vraagbaak.actions"
    assert entry["article_id"] == "werk/cv" and entry["confidence"] == 0.91
    assert "msg" not in entry and "args" not in entry


def test_an_exception_is_kept_on_the_same_line() -> None:
    try:
        raise ValueError("broken")
    except ValueError:
        import sys

        record = logging.LogRecord("vraagbaak.live", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    entry = json.loads(JsonFormatter().format(record))
    assert "ValueError: broken" in entry["exception"]
