"""`kb todo`: what users asked that the knowledge base could not answer, turned into work for
volunteers. Questions are grouped by the article they came nearest to, so a volunteer sees
whether an article needs more example questions or whether a new article is needed.

It reads only the records (:mod:`vraagbaak.desk.records`), which never hold who asked, and the
drafts volunteers made from their answers with /artikel (:mod:`vraagbaak.desk.drafts`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from vraagbaak.desk.drafts import drafts_dir, list_drafts
from vraagbaak.desk.records import Records
from vraagbaak.desk.times import stamp
from vraagbaak.settings import Settings

#: Questions shown per group; the rest are counted.
SHOWN_PER_GROUP = 5
NO_NEAREST = "(nothing near)"


@dataclass
class WorkList:
    since: datetime
    #: nearest article id -> the unanswered questions (lang, municipality, text), newest first.
    unanswered: dict[str, list[tuple[str, str | None, str]]] = field(default_factory=dict)
    #: article id -> (times marked not helpful, times marked helpful).
    feedback: dict[str, tuple[int, int]] = field(default_factory=dict)
    handoffs_by_lang: Counter[str] = field(default_factory=Counter)

    @property
    def unanswered_count(self) -> int:
        return sum(len(q) for q in self.unanswered.values())


def _recent(rows: list[dict[str, Any]], since: datetime) -> list[dict[str, Any]]:
    cutoff = stamp(since)  # the records' own time format
    return [r for r in rows if r["created_at"] >= cutoff]


def build_worklist(records: Records, days: int, now: datetime | None = None) -> WorkList:
    since = (now or datetime.now(timezone.utc)) - timedelta(days=days)
    work = WorkList(since)
    groups: dict[str, list[tuple[str, str | None, str]]] = defaultdict(list)
    for row in reversed(_recent(records.rows("unanswered"), since)):
        groups[row["nearest_article"] or NO_NEAREST].append((row["lang"] or "?", row["municipality"], row["question"] or ""))
    work.unanswered = dict(sorted(groups.items(), key=lambda item: (-len(item[1]), item[0])))
    votes: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in _recent(records.rows("feedback"), since):
        if row["article_id"]:
            votes[row["article_id"]][0 if not row["helpful"] else 1] += 1
    work.feedback = {a: (v[0], v[1]) for a, v in sorted(votes.items(), key=lambda item: -item[1][0]) if v[0]}
    work.handoffs_by_lang = Counter(row["lang"] or "?" for row in _recent(records.rows("handoff"), since))
    return work


def render_worklist(work: WorkList, days: int) -> str:
    lines = [f"Questions nobody could answer in the last {days} days: {work.unanswered_count}"]
    for nearest, questions in work.unanswered.items():
        lines.append(f"\n  nearest article: {nearest} ({len(questions)})")
        for lang, municipality, text in questions[:SHOWN_PER_GROUP]:
            where = f" {municipality}" if municipality else ""
            lines.append(f"    [{lang}{where}] {text}")
        if len(questions) > SHOWN_PER_GROUP:
            lines.append(f"    ... and {len(questions) - SHOWN_PER_GROUP} more")
    if work.unanswered:
        lines.append("\n  What to do: add such questions to the nearest article's `questions:` when it answers "
                     "them, or write a new article (`vraagbaak kb new`) or a line in knowledge/out-of-scope.yaml.")
    lines.append("\nAnswers marked 'not helpful' (not helpful / helpful):")
    lines += [f"  {article}: {bad} / {good}" for article, (bad, good) in work.feedback.items()] or ["  none"]
    asked = ", ".join(f"{lang} {n}" for lang, n in work.handoffs_by_lang.most_common()) or "none"
    lines.append(f"\nRequests for a person: {sum(work.handoffs_by_lang.values())} ({asked})")
    return "\n".join(lines)


def render_drafts(settings: Settings) -> str:
    """The drafts volunteers saved with /artikel, newest first: never served until made articles."""
    found = list_drafts(settings)
    lines = [f"Draft articles from volunteers' answers ({drafts_dir(settings)}): {len(found)}"]
    for draft in found:
        near = f", nearest article: {draft.suggested_article}" if draft.suggested_article else ""
        lines.append(f"  [{draft.lang}] {draft.path.relative_to(drafts_dir(settings)).as_posix()} "
                     f"(ticket #{draft.ticket}, {draft.created}{near})")
        lines.append(f"      {draft.first_question}")
    if found:
        lines.append("\n  What to do: check the answer against an official source, then add the questions to "
                     "the nearest article or write a new one (`vraagbaak kb new`); delete the draft when done.")
    return "\n".join(lines)
