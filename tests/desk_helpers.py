"""Our database for the tests, on both engines: a SQLite file in a temporary var/, and a fresh
database on postgres_helpers' real PostgreSQL server (the test module imports ``postgres``).

Also the work that other processes do in the tests (started with ``spawn``, as separate servers
are: nothing inherited, each its own connections), so it lives in an importable module.
"""

from __future__ import annotations

import multiprocessing
import traceback
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from vraagbaak.desk.database import Database, open_database
from vraagbaak.desk.records import Records
from vraagbaak.settings import Settings

ENGINES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)]
#: Seconds a test waits for another process or thread before it calls the wait a failure.
WAIT_S = 60


def settings_on(engine: str, request: pytest.FixtureRequest, var_dir: Path) -> Settings:
    """Settings whose database is a new SQLite file in ``var_dir``, or a new PostgreSQL database."""
    settings = replace(Settings(), var_dir=var_dir, database_url="")
    if engine == "sqlite":
        return settings
    postgres = request.getfixturevalue("postgres")
    return replace(settings, database_url=postgres.fresh_database("desk"))


@pytest.fixture(params=ENGINES)
def desk_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    return settings_on(request.param, request, tmp_path / "var")


@pytest.fixture
def database(desk_settings: Settings) -> Iterator[Database]:
    opened = open_database(desk_settings)
    yield opened
    opened.close()


def spawn() -> Any:
    return multiprocessing.get_context("spawn")


# --- work for other processes ----------------------------------------------------------------------
def open_and_report(settings: Settings, start: Any, results: Any) -> None:
    """Open (and so migrate) the database as soon as every process is ready; report the outcome."""
    try:
        start.wait(WAIT_S)
        database = open_database(settings)
        database.close()
        results.put("ok")
    except BaseException:  # noqa: BLE001 - the test shows whatever went wrong
        results.put(traceback.format_exc())


def write_handoffs(settings: Settings, start: Any, results: Any, tag: str, count: int) -> None:
    """Record ``count`` hand-offs whose question is ``tag`` and a number, after the others are ready."""
    try:
        records = Records.open(settings)
        start.wait(WAIT_S)
        for number in range(count):
            records.handoff(tag, None, f"{tag} {number}")
        records.database.close()
        results.put("ok")
    except BaseException:  # noqa: BLE001
        results.put(traceback.format_exc())


def run_together(target: Any, argument_lists: list[tuple[Any, ...]]) -> list[str]:
    """Start one process per argument list, release them at once, wait for all; their reports."""
    context = spawn()
    start, results = context.Barrier(len(argument_lists)), context.Queue()
    processes = [context.Process(target=target, args=(*args[:1], start, results, *args[1:]))
                 for args in argument_lists]
    for process in processes:
        process.start()
    try:
        reports = [results.get(timeout=WAIT_S) for _ in processes]
    finally:
        for process in processes:
            process.join(WAIT_S)
            if process.is_alive():
                process.kill()
    assert all(process.exitcode == 0 for process in processes)
    return reports
