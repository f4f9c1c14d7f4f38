"""/artikel: what a newcomer asked and a volunteer answered, kept as a draft article.

A draft is a Markdown file with front matter (``status: draft``, the newcomer's questions as
example questions, the nearest existing article as ``suggested_article``) and the volunteer's
answer as the body, in the ticket's language. Nobody has checked it against an official source,
so it is never served: drafts live in ``var/drafts/<lang>/``, outside knowledge/. That folder is
also writable where knowledge/ is not (compose mounts knowledge/ read-only; Kubernetes bakes it
into the image), and a draft appearing does not change the knowledge fingerprint, so the servers
do not rebuild their index for it. `kb todo` lists the drafts; a volunteer checks one and turns
it into an article with `kb new`.

The texts come from the ticket's stored messages, which already have BSN-like numbers masked;
the file still says to check that nothing in it identifies anyone.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from vraagbaak.desk.tickets import Ticket, TicketMessage
from vraagbaak.knowledge.frontmatter import FrontMatterError, parse_markdown
from vraagbaak.settings import Settings

log = logging.getLogger("vraagbaak.desk")

DRAFTS_FOLDER = "drafts"
STATUS_DRAFT = "draft"
#: Questions searched for the nearest article (the first ones say most).
SEARCHED_QUESTIONS = 5
NOTE = ("<!-- DRAFT from a volunteer's answer (ticket #{ticket}). Not used in answers. Check it against an "
        "official source, remove anything that could identify someone, then make it an article: "
        "vraagbaak kb new <topic/name> --lang {lang} -->")

#: ``nearest(questions, lang, municipality)``: the id of the nearest existing article, or None.
NearestArticle = Callable[[Sequence[str], str | None, str | None], str | None]


def drafts_dir(settings: Settings) -> Path:
    return settings.var_dir / DRAFTS_FOLDER


@dataclass(frozen=True)
class Draft:
    ticket: int
    lang: str | None
    municipality: str | None
    ticket_topic: str | None
    questions: tuple[str, ...]
    answer: str
    suggested_article: str | None
    created: date

    @property
    def relative_path(self) -> Path:
        """``<lang>/ticket-<n>-<yyyymmdd>.md``: unique per ticket, so /artikel again updates it."""
        return Path(self.lang or "unknown") / f"ticket-{self.ticket}-{self.created:%Y%m%d}.md"


def questions_and_answer(messages: Sequence[TicketMessage]) -> tuple[tuple[str, ...], str]:
    """The newcomer's messages (each once, in order) and the volunteers' replies as one text."""
    questions = dict.fromkeys(" ".join(m.text.split()) for m in messages if m.author == "newcomer" and m.text.strip())
    answer = "\n\n".join(m.text.strip() for m in messages if m.author == "volunteer" and m.text.strip())
    return tuple(questions), answer


def compose(ticket: Ticket, messages: Sequence[TicketMessage], nearest: NearestArticle | None,
            today: date | None = None) -> Draft | None:
    """The ticket's draft; None while no volunteer has answered (nothing to turn into an article)."""
    questions, answer = questions_and_answer(messages)
    if not answer:
        return None
    suggested = None
    if nearest is not None and questions:
        try:
            suggested = nearest(questions, ticket.lang, ticket.municipality)
        except Exception as exc:  # noqa: BLE001 - a suggestion is a nicety; the draft is what counts
            log.warning("no article suggested for a draft", extra={"ticket": ticket.id, "error": type(exc).__name__})
    return Draft(ticket.id, ticket.lang, ticket.municipality, ticket.topic, questions, answer, suggested,
                 today or date.today())


def render(draft: Draft) -> str:
    fields = {"status": STATUS_DRAFT, "ticket": draft.ticket, "lang": draft.lang, "municipality": draft.municipality,
              "ticket_topic": draft.ticket_topic, "suggested_article": draft.suggested_article,
              "created": draft.created.isoformat(), "questions": list(draft.questions)}
    front = yaml.safe_dump(fields, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1000)
    note = NOTE.format(ticket=draft.ticket, lang=draft.lang or "nl")
    return f"---\n{front}---\n{note}\n\n{draft.answer}\n"


def write(settings: Settings, draft: Draft) -> Path:
    """Write (or rewrite) the draft's file; its path."""
    path = drafts_dir(settings) / draft.relative_path
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(render(draft), encoding="utf-8")
    temporary.replace(path)  # whole or not at all, for a `kb todo` reading at the same moment
    log.info("draft written", extra={"ticket": draft.ticket, "lang": draft.lang,
                                     "suggested_article": draft.suggested_article})
    return path


# --- for `kb todo` ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DraftSummary:
    path: Path
    lang: str
    ticket: int | None
    suggested_article: str | None
    first_question: str
    created: str


def list_drafts(settings: Settings) -> list[DraftSummary]:
    """Every draft, newest first; a file that is not a draft is skipped."""
    found = []
    for path in sorted(drafts_dir(settings).glob("*/*.md")):
        try:
            data = parse_markdown(path.read_text(encoding="utf-8")).data
        except (OSError, UnicodeDecodeError, FrontMatterError):
            continue
        if data.get("status") != STATUS_DRAFT:
            continue
        questions = data.get("questions") or [""]
        found.append(DraftSummary(path, str(data.get("lang") or path.parent.name), data.get("ticket"),
                                  data.get("suggested_article"), str(questions[0]), str(data.get("created") or "")))
    return sorted(found, key=lambda d: (d.created, d.path.name), reverse=True)


# --- the nearest article ------------------------------------------------------------------------------
class SearchNearest:
    """:data:`NearestArticle` by the search engine over the index as it is: never builds one (that
    takes minutes and a lot of memory in the bridge), and without an index suggests nothing. The
    engine (its model) is loaded at the first draft, not when the bridge starts."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._engine = None
        self._lock = threading.Lock()

    def _open(self):  # noqa: ANN202 - SearchEngine, imported late: the model is heavy
        from vraagbaak.search.index import IndexMissing
        from vraagbaak.search.service import open_engine

        with self._lock:
            if self._engine is None:
                try:
                    self._engine = open_engine(self.settings, refresh=False)
                except IndexMissing:
                    return None  # tried again at the next draft: an index may be built meanwhile
            return self._engine

    def __call__(self, questions: Sequence[str], lang: str | None, municipality: str | None) -> str | None:
        from vraagbaak.search.types import SearchRequest

        engine = self._open()
        if engine is None:
            return None
        best: tuple[float, str] | None = None
        for question in questions[:SEARCHED_QUESTIONS]:
            result = engine.search(SearchRequest(question, lang=lang, municipality=municipality, top_k=1))
            if result.candidates and (best is None or result.candidates[0].score > best[0]):
                best = (result.candidates[0].score, result.candidates[0].article_id)
        return best[1] if best else None
