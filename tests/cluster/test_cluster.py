"""Scale-out on real engines, proven with faults: two Rasa servers sharing Rasa's SQL tracker
store on PostgreSQL and a Redis lock store, two action servers, two web gateways, haproxy in
front of each kind (see topology.py), and 56 users talking at once in four languages while one
Rasa server and one action server are killed (SIGKILL, whole process group).

What must hold:

* every conversation goes on: at most the message in flight at the kill gets the polite
  "unavailable" apology, and one retry of it is answered;
* every message gets exactly the replies the assistant gives to it in that conversation
  (expected.py), none lost, none doubled: the tracker events in PostgreSQL hold each user
  message once, in order, followed by exactly the replies the user got;
* two replicas never handle one conversation at once: pairs of messages sent to both Rasa
  servers at the same moment are handled one after the other, and no turn in any tracker
  begins before the previous one ended; haproxy spread the requests over both servers of each kind;
* the records (unanswered questions, feedback) written by both action servers are all in the
  shared database.

``make test-cluster`` runs it (``pytest -m cluster tests/cluster``); plain ``pytest`` collects it
too. It prints a summary: answers/s, latency, apologies, how haproxy spread the requests.

``CLUSTER_BENCH_FIGURES=FILE`` (what `vraagbaak bench --cluster` sets) first measures, without
faults, one replica of each (haproxy's second servers disabled) against two, and writes the
figures of all three runs to FILE as JSON. ``CLUSTER_ENDPOINTS=FILE`` (and ``CLUSTER_RASA_PATH=DIR``
for the modules it names) tries the Rasa servers with other endpoints, another lock store, say.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
import uuid
from dataclasses import asdict, replace
from pathlib import Path

import pytest

from cluster.checks import (Outcome, check_apologies, check_conversation, check_probe, responded, spread,
                            tracked_turns)
from cluster.driver import Figures, Fault, Run, figures, probe_locks
from cluster.driver import drive as drive_conversations
from cluster.expected import Expectations, Plan, choose_questions, plans as make_plans
from cluster.topology import ENDPOINTS, Cluster, Database, ServerStat
from postgres_helpers import DATABASE, PASSWORD, USER, Postgres, postgres  # noqa: F401 - the fixture
from vraagbaak.search.engine import SearchEngine
from vraagbaak.settings import Settings

pytestmark = [pytest.mark.cluster, pytest.mark.slow]

#: Users talking at once; a multiple of four (the languages in turn), six messages each.
CONVERSATIONS = 56
#: Users of each run of the benchmark without faults (CLUSTER_BENCH_FIGURES).
BENCH_CONVERSATIONS = 32
#: Conversations that send pairs of messages to both Rasa servers at once, four pairs each.
PROBE_SENDERS = 12
#: Each server of a kind got at least this share of its kind's requests before the kill.
MIN_SHARE = {"web": 0.3, "rasa": 0.3, "actions": 0.2}
KILLED = ("rasa1", "actions2")


def test_two_of_each_server_survive_killing_one_of_each_and_lose_or_double_no_reply(
        postgres: Postgres, real_settings: Settings, real_engine: SearchEngine,  # noqa: F811 - the fixture
        tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]) -> None:
    began = time.monotonic()
    database = Database(postgres.host, postgres.port, USER, PASSWORD, DATABASE)
    run_dir = tmp_path_factory.mktemp("cluster")  # kept by pytest after the run: logs/ for a post-mortem
    endpoints = Path(os.environ.get("CLUSTER_ENDPOINTS") or ENDPOINTS)
    rasa_path = tuple(Path(p) for p in os.environ.get("CLUSTER_RASA_PATH", "").split(os.pathsep) if p)
    bench_file = os.environ.get("CLUSTER_BENCH_FIGURES")
    cluster = Cluster(run_dir, database, real_settings, endpoints=endpoints, rasa_pythonpath=rasa_path)
    leftovers: dict[str, list[int]] = {}
    runs: list[tuple[list[Plan], Run, Figures]] = []
    try:
        cluster.start()
        run_id = uuid.uuid4().hex[:8]
        expectations = Expectations(real_settings, real_engine, [cluster.rasa_url(1), cluster.rasa_url(2)],
                                    cluster.token)
        bank = choose_questions(expectations, per_language=CONVERSATIONS // 4)
        for lang, questions in {**bank.answered, **bank.unanswered}.items():
            assert len(questions) >= PROBE_SENDERS, f"too few usable questions in {lang}: {questions}"

        def conversations(count: int, name: str) -> list[Plan]:
            made = make_plans(bank, count, f"{run_id}-{name}")
            for plan in made:
                expectations.simulate(plan)
            return made

        def drive(label: str, plans: list[Plan], fault: Fault | None = None) -> Run:
            run = asyncio.run(drive_conversations(cluster.front_url, plans, fault))
            runs.append((plans, run, figures(label, run)))
            return run

        plans = conversations(CONVERSATIONS, "faults")
        prepared = time.monotonic()

        if bench_file:  # one replica of each against two, without faults
            second = [f"{kind}/{kind}2" for kind in ("web", "rasa", "actions")]
            for server in second:
                cluster.haproxy(f"disable server {server}")
            drive("1 of each", conversations(BENCH_CONVERSATIONS, "one"))
            for server in second:
                cluster.haproxy(f"enable server {server}")
            cluster.wait_all_up()
            drive("2 of each", conversations(BENCH_CONVERSATIONS, "two"))

        # 1. The lock store: pairs of messages of one conversation sent to both replicas at once.
        # Rasa's own RedisLockStore lets both replicas in about once in 10 to 25 pairs: 48 pairs.
        rounds = {f"cluster-{run_id}-probe-{k:02d}": probe_pairs(bank.answered, k) for k in range(PROBE_SENDERS)}
        probe = asyncio.run(probe_locks([cluster.rasa_url(1), cluster.rasa_url(2)], rounds))

        # 2. Everyone at once through the front; halfway, one Rasa server and one action server die.
        at_start = cluster.stats()
        before_kill: list[ServerStat] = []

        def kill_one_of_each() -> None:
            before_kill.extend(cluster.stats())
            cluster.kill(*KILLED)

        total = sum(len(p.steps) for p in plans)
        run = drive("2 of each, kill 1 of each", plans, Fault(total // 2, kill_one_of_each))
        after = {s.server: s for s in cluster.stats()}
        dead = sorted(name for name, child in cluster.processes.children.items() if not child.alive)
        died = cluster.dead_now()
        every_plan = [plan for plans_of_run, _, _ in runs for plan in plans_of_run]
        turns = tracked_turns(database, [p.sender for p in every_plan] + list(rounds))
        kinds = {i: responded(cluster.actions(i).log) for i in (1, 2)}
        records = read_records(database)
    finally:
        leftovers = cluster.stop()

    outcome = Outcome()
    check_probe(probe, turns, outcome)
    for plans_of_run, run_of_plans, _ in runs:
        check_apologies(plans_of_run, run_of_plans, outcome)
        for plan in plans_of_run:
            check_conversation(plan, run_of_plans.sends.get(plan.sender, []), turns[plan.sender], outcome)
    problems = outcome.problems

    if dead != sorted(KILLED):
        problems.append(f"stopped at the end: {dead}, killed were {list(KILLED)}:\n" + "\n".join(died))
    for name in KILLED:
        if not after[name].status.startswith("DOWN"):
            problems.append(f"haproxy still has {name} {after[name].status} after it was killed")
    during = requests_between(at_start, before_kill)
    for backend, share in MIN_SHARE.items():
        problems += spread(during, backend, share)

    # The records of both action servers, all in the shared database (no sender is stored: counted).
    sends = [(plan, send) for plans_of_run, run_of_plans, _ in runs for plan in plans_of_run
             for send in run_of_plans.sends.get(plan.sender, [])]

    def count(role: str, ok: bool) -> int:
        return sum(1 for plan, send in sends
                   if plan.steps[send.step].role == role and (send.ok if ok else send.apology))

    apologies = sum(1 for _, send in sends if send.apology)
    # Recorded as the action read them (the NLU pipeline normalises, the Ethiopic word space, say).
    refused_texts = {p.seen[i] for p in every_plan for i, step in enumerate(p.steps) if step.role == "out_of_scope"}
    # A question of the lock probe may get "I don't know" too (its conversation chose no language).
    probed = [expectations.turn(r.text).text for pairs in probe.values() for r in pairs
              if any((m.get("custom") or {}).get("vraagbaak") == "no_answer" for m in r.replies or [])]
    unanswered = [r for r in records["unanswered"] if r["question"] in refused_texts]
    strangers = [r for r in records["unanswered"] if r["question"] not in refused_texts | set(probed)]
    logged = kinds[1]["no_answer"] + kinds[2]["no_answer"]
    refused_ok, refused_apologised = count("out_of_scope", True), count("out_of_scope", False)
    if strangers:
        problems.append(f"unanswered records of questions nobody asked: {strangers}")
    if not refused_ok <= len(unanswered) <= refused_ok + refused_apologised:
        problems.append(f"{len(unanswered)} unanswered records for {refused_ok} questions answered with "
                        f"\"I don't know\" (and {refused_apologised} apologised for)")
    if not logged <= len(records["unanswered"]) <= logged + apologies:
        problems.append(f"{len(records['unanswered'])} unanswered records, but the action servers logged {logged} "
                        f"(actions1 {kinds[1]['no_answer']}, actions2 {kinds[2]['no_answer']})")
    if min(kinds[1]["no_answer"], kinds[2]["no_answer"]) < CONVERSATIONS // 8:
        problems.append(f"not both action servers wrote unanswered records: {kinds}")
    helpful = [r for r in records["feedback"] if r["helpful"]]
    if not count("feedback", True) <= len(helpful) <= count("feedback", True) + count("feedback", False):
        problems.append(f"{len(helpful)} feedback records for {count('feedback', True)} answered presses "
                        f"(and {count('feedback', False)} apologised for)")
    if leftovers:
        problems.append(f"processes left over after stopping the cluster: {leftovers}")

    fault = run.fault
    assert fault is not None and fault.at is not None
    fault_apologies = sum(1 for s in run.all() if s.apology)
    summary = [
        f"cluster: {cluster.replicas} Rasa servers (PostgreSQL tracker store, {lock_store_name(endpoints)}), "
        f"{cluster.replicas} action servers, {cluster.replicas} web gateways, haproxy in front of each kind; "
        f"ready in {cluster.startup_seconds['all']:.0f} s, questions and expected replies in "
        f"{prepared - began - cluster.startup_seconds['all']:.0f} s",
        f"lock probe: {sum(len(r) for r in rounds.values())} pairs of messages sent to both Rasa servers at once",
        *(figures_of_run.line() for _, _, figures_of_run in runs),
        f"killed {' and '.join(KILLED)} (SIGKILL, process group) after {fault.after_sends} of {total} answers, "
        f"{fault.at - run.started:.1f} s in: {fault_apologies} apologies, each retried once; "
        f"{outcome.stored_apologised} apologised messages were stored anyway (and again by their retry)",
        "haproxy requests before the kill: " + ", ".join(f"{s.server} {s.sessions}" for s in during),
        f"records: {len(records['unanswered'])} unanswered ({len(probed)} of the lock probe; logged by actions1 "
        f"{kinds[1]['no_answer']}, actions2 {kinds[2]['no_answer']}), {len(helpful)} helpful feedback",
        f"test ran {time.monotonic() - began:.0f} s; logs in {run_dir / 'logs'}",
    ]
    with capsys.disabled():
        print("\n" + "\n".join(summary))
    if bench_file:
        Path(bench_file).write_text(json.dumps([{**asdict(f), "per_second": f.per_second} for _, _, f in runs]))
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems[:40])


def probe_pairs(answered: dict[str, list[str]], k: int) -> list[tuple[str, str]]:
    """Four pairs of different questions (one conversation's texts must differ: they are told
    apart by their text in the tracker)."""
    other = (k + len(answered["nl"]) // 2) % len(answered["nl"])
    return [(answered["nl"][k], answered["en"][k]), (answered["ar"][k], answered["ti"][k]),
            (answered["nl"][other], answered["en"][other]), (answered["ar"][other], answered["ti"][other])]


def requests_between(earlier: list[ServerStat], later: list[ServerStat]) -> list[ServerStat]:
    """What each server got from ``earlier`` to ``later`` (haproxy's counters only grow)."""
    start = {(s.backend, s.server): s.sessions for s in earlier}
    return [replace(s, sessions=s.sessions - start.get((s.backend, s.server), 0)) for s in later]


def lock_store_name(endpoints: Path) -> str:
    found = [line.split(":", 1)[1].strip() for line in endpoints.read_text().splitlines()
             if line.strip().startswith("type:")]
    return f"lock store {found[-1]}" if found else "in-memory lock store"


def read_records(database: Database) -> dict[str, list[dict]]:
    """The records as the project reads them (vraagbaak.desk.records on VRAAGBAAK_DATABASE_URL)."""
    from vraagbaak.desk.records import Records

    records = Records.open(replace(Settings(), database_url=database.url()))
    try:
        return {table: records.rows(table) for table in ("unanswered", "feedback")}
    finally:
        records.database.close()
