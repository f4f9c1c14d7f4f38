"""The Rasa side: its own virtual environment, training only when bot/ changed, its command line."""

from __future__ import annotations

import fcntl
import hashlib
import os
import secrets
import subprocess
from pathlib import Path

from vraagbaak.settings import PROJECT_ROOT, Settings

BOT_DIR = PROJECT_ROOT / "bot"
RASA_VENV = PROJECT_ROOT / ".venv-rasa"
MODEL_NAME = "vraagbaak"
#: What a Rasa model is trained from; a change in any of these means a new model.
TRAINING_INPUTS = ("config.yml", "domain.yml", "data", "components")
#: Our code that the NLU pipeline runs (bot/components imports it), relative to the project.
PIPELINE_CODE = ("vraagbaak/i18n/normalize.py",)
#: Training as deterministic as TensorFlow allows: fixed hash seed (Rasa iterates over sets),
#: deterministic ops, no oneDNN (its kernels differ per CPU), and a fixed thread count (a float
#: sum split over another number of threads rounds differently). DIET's random_seed is in
#: config.yml. So a fresh clone trains the model that the tests were written against.
DETERMINISTIC_TRAINING = {"PYTHONHASHSEED": "0", "TF_DETERMINISTIC_OPS": "1", "TF_ENABLE_ONEDNN_OPTS": "0",
                          "TF_INTRA_OP_PARALLELISM_THREADS": "2", "TF_INTER_OP_PARALLELISM_THREADS": "2"}


def rasa_executable() -> Path:
    return RASA_VENV / "bin" / "rasa"


def models_dir(settings: Settings) -> Path:
    return settings.var_dir / "rasa-models"


def model_path(settings: Settings) -> Path:
    return models_dir(settings) / f"{MODEL_NAME}.tar.gz"


def rasa_env(**extra: str) -> dict[str, str]:
    """The environment of every Rasa command: our package importable (the NLU normaliser),
    no telemetry, deterministic training."""
    return {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "RASA_TELEMETRY_ENABLED": "false",
            **DETERMINISTIC_TRAINING, **extra}


def training_fingerprint(bot_dir: Path = BOT_DIR) -> str:
    digest = hashlib.sha256()
    for name in TRAINING_INPUTS:
        path = bot_dir / name
        files = sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts) \
            if path.is_dir() else [path]
        for file in files:
            digest.update(str(file.relative_to(bot_dir)).encode())
            digest.update(file.read_bytes())
    for name in PIPELINE_CODE:
        digest.update(name.encode())
        digest.update((PROJECT_ROOT / name).read_bytes())
    return digest.hexdigest()


def train_if_changed(settings: Settings, force: bool = False) -> bool:
    """Train when the model is missing or bot/ changed since it was trained. True if trained.

    Holds a file lock while it looks and trains, so that `make run` and a test session started
    at the same time train once, and neither reads a half-written model."""
    models_dir(settings).mkdir(parents=True, exist_ok=True)
    stamp = models_dir(settings) / f"{MODEL_NAME}.sha256"
    with open(models_dir(settings) / ".train.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        fingerprint = training_fingerprint()
        if not force and model_path(settings).is_file() and stamp.is_file() and stamp.read_text().strip() == fingerprint:
            return False
        stamp.unlink(missing_ok=True)  # a model without a stamp is retrained, never trusted
        subprocess.run([str(rasa_executable()), "train", "--fixed-model-name", MODEL_NAME,
                        "--out", str(models_dir(settings)), "--quiet"], cwd=BOT_DIR, check=True, env=rasa_env())
        stamp.write_text(fingerprint)
        return True


def api_token(settings: Settings) -> str:
    """The configured token, else one generated once and kept in var/ (never an open API)."""
    if settings.rasa_token:
        return settings.rasa_token
    path = settings.var_dir / "rasa-token"
    if not path.is_file():
        write_private(path, secrets.token_urlsafe(32))
    return path.read_text().strip()


def write_private(path: Path, text: str) -> None:
    """Write a secret readable by its owner only from the first byte (never chmod after the
    fact), all at once (a reader sees the old file or the whole new one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}")
    with open(draft, "w", encoding="utf-8", opener=lambda name, flags: os.open(name, flags, 0o600)) as handle:
        handle.write(text)
    os.replace(draft, path)


def server_command(settings: Settings, port: int) -> list[str]:
    """`rasa run` with the REST channel, token auth and the SQLite tracker store, through
    :mod:`vraagbaak.runtime.rasa_entry`: the token travels in the environment
    (:func:`server_env`), never on the command line. No CORS: only our gateway calls Rasa."""
    return [str(RASA_VENV / "bin" / "python"), "-m", "vraagbaak.runtime.rasa_entry", "run", "--enable-api",
            "--model", str(model_path(settings)), "--endpoints", "endpoints.yml",
            "--credentials", "credentials.yml", "--port", str(port), "--interface", settings.host]


def server_env(settings: Settings, base: dict[str, str]) -> dict[str, str]:
    """The Rasa server's environment: ``base`` plus the API token for rasa_entry."""
    return {**base, "PYTHONPATH": str(PROJECT_ROOT), "VRAAGBAAK_RASA_TOKEN": api_token(settings)}
