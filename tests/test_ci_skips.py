"""The hook in conftest.py that makes a skip a failure in CI (CI=true), tried on tiny test files
in a pytest of their own: a skipped test must make pytest exit non-zero there, and only there."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent

TINY = '''
import pytest

def test_passes():
    pass

def test_skips_while_running():
    pytest.skip("no widget today")

@pytest.mark.skipif(True, reason="never on this machine")
def test_skipped_by_a_marker():
    pass

@pytest.fixture
def server():
    pytest.skip("the server could not start")

def test_skipped_by_its_fixture(server):
    pass

@pytest.mark.xfail(reason="a known bug, recorded", strict=True)
def test_expected_to_fail():
    assert False
'''

WHOLE_MODULE = '''
import pytest

nothing = pytest.importorskip("no_such_module_for_vraagbaak", reason="run `make install`")

def test_never_collected():
    pass
'''


def run_pytest(folder: Path, files: dict[str, str], ci: str | None, *args: str) -> subprocess.CompletedProcess[str]:
    """pytest in ``folder`` with only the tiny files and this suite's conftest.py as a plugin."""
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")  # no settings from elsewhere
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "PYTEST_ADDOPTS")}
    env["PYTHONPATH"] = os.pathsep.join([str(TESTS), env.get("PYTHONPATH", "")])
    if ci is not None:
        env["CI"] = ci
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "conftest", "-p", "no:cacheprovider",
                           "-q", "-rA", "--rootdir", str(folder), *args, *files],
                          cwd=folder, env=env, capture_output=True, text=True, timeout=300)


def summary(done: subprocess.CompletedProcess[str]) -> str:
    return done.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize("ci", ["true", "TRUE", "1"])
def test_in_ci_every_kind_of_skip_fails_the_run(tmp_path: Path, ci: str) -> None:
    done = run_pytest(tmp_path, {"test_tiny.py": TINY}, ci)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    # A skip while running is a failed test; a skip in setup (marker, fixture) is an error.
    assert re.search(r"1 failed, 1 passed, 1 xfailed, 2 errors", summary(done)), output
    for name in ("test_skips_while_running", "test_skipped_by_a_marker", "test_skipped_by_its_fixture"):
        assert re.search(rf"^(FAILED|ERROR) test_tiny.py::{name}\b", done.stdout, re.M), output
    for reason in ("no widget today", "never on this machine", "the server could not start"):
        assert reason in done.stdout, output
    assert "a skip is a failure" in done.stdout and "make install" in done.stdout
    assert "skipped" not in summary(done)


def test_in_ci_a_module_skipped_whole_fails_the_run(tmp_path: Path) -> None:
    done = run_pytest(tmp_path, {"test_whole_module.py": WHOLE_MODULE}, "true")
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert "ERROR test_whole_module.py" in done.stdout and "a skip is a failure" in done.stdout, output
    assert "run `make install`" in done.stdout, output


@pytest.mark.parametrize("ci", [None, "", "false"])
def test_outside_ci_a_skip_stays_a_skip(tmp_path: Path, ci: str | None) -> None:
    done = run_pytest(tmp_path, {"test_tiny.py": TINY, "test_whole_module.py": WHOLE_MODULE}, ci)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"1 passed, 4 skipped, 1 xfailed", summary(done)), done.stdout


def test_in_ci_a_run_without_skips_passes_and_deselecting_is_not_skipping(tmp_path: Path) -> None:
    done = run_pytest(tmp_path, {"test_tiny.py": TINY}, "true", "-k", "passes or expected")
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"1 passed, 3 deselected, 1 xfailed", summary(done)), done.stdout


def test_a_missing_playwright_fails_the_browser_tests_loudly_naming_make_install(tmp_path: Path) -> None:
    """Not a skip (it used to be an importorskip): collecting the browser tests without Playwright
    is an error that says how to get it. A package that cannot be imported stands in for it."""
    blocked = tmp_path / "blocked" / "playwright"
    blocked.mkdir(parents=True)
    (blocked / "__init__.py").write_text('raise ModuleNotFoundError("No module named \'playwright\'", '
                                         'name="playwright")\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "PYTEST_ADDOPTS")}
    env["PYTHONPATH"] = os.pathsep.join([str(blocked.parent), env.get("PYTHONPATH", "")])
    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                           str(TESTS / "test_widget_browser.py")], cwd=TESTS.parent, env=env,
                          capture_output=True, text=True, timeout=300)
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert "ERROR tests/test_widget_browser.py" in output, output
    assert "Playwright is missing" in output and "run `make install`" in output, output
    assert "skipped" not in output
