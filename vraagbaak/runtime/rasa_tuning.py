"""Two costs of Rasa 3.6 per message, removed inside the Rasa process (rasa_entry applies them).

Profiled on `make run` (py-spy, two cores): of Rasa's time per answer about a quarter went to
checking the JSON schema of the action server's reply, and another quarter to committing the
conversation to SQLite, twice per message, each commit waiting for the disk.

- **The action reply's schema**: Rasa calls ``jsonschema.validate`` per reply, which first checks
  the schema itself against the JSON Schema meta-schema, every time. Here the schema is checked
  once and its validator kept; every reply is still validated, with the same error.
- **SQLite** (the tracker store of `make run` only; PostgreSQL is untouched): Rasa opens and
  closes a connection for every read and write (SQLAlchemy's NullPool); here they are kept in a
  pool. And write-ahead logging with ``synchronous=NORMAL``, SQLite's recommended setting for it:
  a commit no longer waits for the disk; a crash of Rasa loses nothing, a power cut at most the
  last moment of conversation.

Rasa's own environment: standard library, Rasa and what Rasa brings (jsonschema, SQLAlchemy).
"""

from __future__ import annotations

import sqlite3
from typing import Any


def validate_action_replies_with_one_validator() -> None:
    from jsonschema import ValidationError, validators
    from jsonschema.exceptions import best_match
    from rasa.core.actions import action
    from rasa.shared.constants import DOCS_BASE_URL

    spec = action.RemoteAction.action_response_format_spec()
    validator_class = validators.validator_for(spec)
    validator_class.check_schema(spec)
    validator = validator_class(spec)

    def _validate_action_result(self: Any, result: dict[str, Any]) -> bool:
        error = best_match(validator.iter_errors(result))  # what jsonschema.validate raises
        if error is None:
            return True
        if isinstance(error, ValidationError):
            error.message += (". Failed to validate Action server response from API, make sure your response "
                              "from the Action endpoint is valid. For more information about the format visit "
                              f"{DOCS_BASE_URL}/custom-actions")
        raise error

    action.RemoteAction._validate_action_result = _validate_action_result


def sqlite_without_waiting_for_the_disk() -> None:
    from rasa.core import tracker_store
    from sqlalchemy import event, pool
    from sqlalchemy.engine import Engine

    rasas_kwargs = tracker_store.create_engine_kwargs

    def create_engine_kwargs(url: Any) -> dict[str, Any]:
        if not str(getattr(url, "drivername", url)).startswith("sqlite"):
            return rasas_kwargs(url)
        return {"poolclass": pool.QueuePool, "pool_size": 4, "max_overflow": 8,
                "connect_args": {"check_same_thread": False}}

    tracker_store.create_engine_kwargs = create_engine_kwargs

    @event.listens_for(Engine, "connect")
    def _wal(connection: Any, record: Any) -> None:
        if isinstance(connection, sqlite3.Connection):
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()


def apply() -> None:
    validate_action_replies_with_one_validator()
    sqlite_without_waiting_for_the_disk()
