"""What the cluster must have done, read back from where it keeps it: the tracker events in
PostgreSQL (Rasa's SQLTrackerStore, table ``events``), the records, haproxy's counters, the
action servers' logs. Each check returns the problems it found, as sentences."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cluster.driver import Run, Send
from cluster.expected import Expected, Plan, reply_key
from cluster.topology import Database, ServerStat


@dataclass
class TrackedTurn:
    """A user event and every event after it up to the next user event."""

    first_id: int
    text: str
    started: float  # the user event's timestamp: taken after Rasa got the conversation's lock
    ended: float  # the last event's timestamp (action_listen once the turn is over)
    bots: list[Expected] = field(default_factory=list)


def tracked_turns(database: Database, senders: list[str]) -> dict[str, list[TrackedTurn]]:
    """Every sender's turns, in the order the events were written."""
    with database.connect() as db:
        rows = db.execute("SELECT id, sender_id, type_name, timestamp, data FROM events WHERE sender_id = ANY(%s) "
                          "ORDER BY id", (senders,)).fetchall()
    turns: dict[str, list[TrackedTurn]] = {sender: [] for sender in senders}
    for event_id, sender, kind, timestamp, data in rows:
        event = json.loads(data)
        own = turns[sender]
        if kind == "user":
            own.append(TrackedTurn(event_id, event.get("text") or "", timestamp, timestamp))
        elif own:
            own[-1].ended = max(own[-1].ended, timestamp)
            if kind == "bot":
                own[-1].bots.append(reply_key(event))
    return turns


@dataclass
class Outcome:
    problems: list[str] = field(default_factory=list)
    #: Apologised messages that Rasa had stored anyway (before its action server died, or just
    #: before it died itself): the user sent them twice, so they are there twice.
    stored_apologised: int = 0


def check_conversation(plan: Plan, sends: list[Send], turns: list[TrackedTurn], outcome: Outcome) -> None:
    """Each message answered with exactly the expected replies, stored once, in order, with
    exactly the replies the user got; an apologised message stored at most once more; no turn
    begun before the previous one ended (two replicas never handled the conversation at once)."""
    who = plan.sender
    problems = outcome.problems
    position = 0
    for send in sends:
        expected = plan.expected[send.step]
        said = plan.tracked[send.step]
        if send.ok:
            got = [reply_key(m) for m in send.replies or []]
            if got != expected:
                problems.append(f"{who} step {send.step} ({plan.steps[send.step].role}): replies {_kinds(got)} "
                                f"differ from the expected {_kinds(expected)}")
            if position >= len(turns) or turns[position].text != said:
                found = turns[position].text if position < len(turns) else None
                problems.append(f"{who} step {send.step}: answered, but not the next message in its tracker "
                                f"(expected {said!r}, found {found!r})")
                continue
            if turns[position].bots != got:
                problems.append(f"{who} step {send.step}: the tracker holds replies {_kinds(turns[position].bots)}, "
                                f"the user got {_kinds(got)}")
            position += 1
        elif send.apology:
            # Stored once already when the retry's turn follows it, with the same text.
            if (position + 1 < len(turns) and turns[position].text == said and turns[position + 1].text == said
                    and turns[position].bots in ([], expected)):
                outcome.stored_apologised += 1
                position += 1
        else:
            problems.append(f"{who} step {send.step} attempt {send.attempt}: no reply ({send.status}, {send.error})")
    if position != len(turns):
        problems.append(f"{who}: {len(turns) - position} message(s) in the tracker that nobody sent or that are "
                        f"there twice: {[t.text for t in turns[position:]]}")
    for before, after in zip(turns, turns[1:]):
        if after.started < before.ended:
            problems.append(f"{who}: the turn {after.text!r} began {before.ended - after.started:.3f} s before "
                            f"the turn {before.text!r} ended: two replicas handled the conversation at once")


def _kinds(replies: list[Expected]) -> list[str]:
    return [f"{kind or 'text'}{':' + article if article else ''}" for _, kind, article in replies]


def check_apologies(plans: list[Plan], run: Run, outcome: Outcome) -> None:
    """Only a message in flight when the servers were killed is apologised for, at most one per
    conversation, and its one retry is answered."""
    fault = run.fault

    def when(send: Send) -> str:
        if fault is None or fault.at is None:
            return ""
        return f" (sent {send.started - fault.at:+.2f} s from the kill, answered {send.finished - fault.at:+.2f} s)"

    for plan in plans:
        sends = run.sends.get(plan.sender, [])
        if len(sends) < len(plan.steps):
            outcome.problems.append(f"{plan.sender}: only {len(sends)} of {len(plan.steps)} messages were sent")
        apologies = [s for s in sends if s.apology]
        if len(apologies) > 1:
            outcome.problems.append(f"{plan.sender}: {len(apologies)} apologies (steps {[s.step for s in apologies]})")
        for send in apologies:
            if (fault is None or fault.at is None or fault.done is None or not send.started <= fault.done + 0.5
                    or send.finished < fault.at):
                outcome.problems.append(f"{plan.sender} step {send.step}: apologised for, but it was not in flight "
                                        f"when the servers were killed{when(send)}")
            retry = next((s for s in sends if s.step == send.step and s.attempt == 2), None)
            if send.attempt == 1 and (retry is None or not retry.ok):
                outcome.problems.append(f"{plan.sender} step {send.step}: its retry was not answered either"
                                        f"{when(send)}{when(retry) if retry else ''}")


def spread(stats: list[ServerStat], backend: str, minimum_share: float) -> list[str]:
    """Every server of ``backend`` got at least ``minimum_share`` of its requests."""
    servers = [s for s in stats if s.backend == backend]
    total = sum(s.sessions for s in servers)
    if total == 0:
        return [f"haproxy sent no request to the {backend} servers"]
    return [f"haproxy sent {s.server} only {s.sessions} of {total} requests" for s in servers
            if s.sessions < minimum_share * total]


def responded(log: Path) -> Counter[str]:
    """The kinds of reply an action server gave (its JSON "responded" lines)."""
    kinds: Counter[str] = Counter()
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith("{") and '"responded"' in line:
            try:
                entry: dict[str, Any] = json.loads(line)
            except ValueError:
                continue
            if entry.get("event") == "responded":
                kinds[entry.get("kind") or "?"] += 1
    return kinds


def check_probe(replies: dict[str, list[Any]], turns: dict[str, list[TrackedTurn]], outcome: Outcome) -> None:
    """Every message of the pairs answered and stored once with the replies it got, each turn
    after the previous one ended: the second replica waited for the first (the lock store)."""
    for sender, sent in replies.items():
        own = turns.get(sender, [])
        for reply in sent:
            if reply.error or not reply.texts:
                outcome.problems.append(f"lock probe {sender}: Rasa {reply.rasa} did not answer {reply.text!r} "
                                        f"({reply.error})")
        if sorted(t.text for t in own) != sorted(r.text for r in sent):
            outcome.problems.append(f"lock probe {sender}: the tracker holds {[t.text for t in own]}, sent were "
                                    f"{[r.text for r in sent]}: two replicas handled the conversation at once "
                                    "and one's turn was lost")
            continue
        for turn in own:
            reply = next(r for r in sent if r.text == turn.text)
            if [text for text, _, _ in turn.bots] != reply.texts:
                outcome.problems.append(f"lock probe {sender}: the tracker's replies to {turn.text!r} are not "
                                        f"the ones Rasa {reply.rasa} sent")
        for before, after in zip(own, own[1:]):
            if after.started < before.ended:
                outcome.problems.append(f"lock probe {sender}: {after.text!r} began "
                                        f"{before.ended - after.started:.3f} s before {before.text!r} ended: two "
                                        "replicas handled the conversation at once")
