"""`vraagbaak bench --cluster`: answers per second and latency of the whole assistant scaled out,
one replica of each server against two, and two while one of each is killed.

The figures come from the cluster test (tests/cluster/, `make test-cluster`), which starts
PostgreSQL, Redis, haproxy and the replicas on this machine and checks every reply; this runs it
with ``CLUSTER_BENCH_FIGURES`` set, so that it measures the two runs without faults first, and
prints what it measured. It needs a checkout with the test extra installed (`make install`) and
Debian's postgresql, redis-server and haproxy (`make test-cluster` installs them).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from vraagbaak.settings import PROJECT_ROOT

CLUSTER_TESTS = PROJECT_ROOT / "tests" / "cluster"


def render(rows: list[dict[str, Any]]) -> str:
    lines = [f"{'':<28} {'users':>5} {'answers':>7} {'seconds':>7} {'answers/s':>9} {'p50 ms':>7} {'p95 ms':>7} "
             f"{'apologies':>9}"]
    for row in rows:
        lines.append(f"{row['label']:<28} {row['conversations']:>5} {row['answers']:>7} {row['seconds']:>7.1f} "
                     f"{row['per_second']:>9.2f} {row['p50_ms']:>7.0f} {row['p95_ms']:>7.0f} {row['apologies']:>9}")
    return "\n".join(lines)


def run_cluster_bench() -> int:
    if not CLUSTER_TESTS.is_dir():
        print(f"vraagbaak bench --cluster needs the project's checkout ({CLUSTER_TESTS} is missing)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="vraagbaak-cluster-bench-") as scratch:
        figures = Path(scratch) / "figures.json"
        done = subprocess.run([sys.executable, "-m", "pytest", "-m", "cluster", str(CLUSTER_TESTS), "-q",
                               "-p", "no:cacheprovider"], cwd=PROJECT_ROOT,
                              env={**os.environ, "CLUSTER_BENCH_FIGURES": str(figures)}, check=False)
        if not figures.is_file():
            print("the cluster test measured nothing (see its output above)", file=sys.stderr)
            return done.returncode or 1
        print("\n" + render(json.loads(figures.read_text())))
    if done.returncode:
        print("\nthe cluster test failed: these figures come from a cluster that did not do everything right",
              file=sys.stderr)
    return done.returncode
