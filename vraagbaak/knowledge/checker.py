"""`kb check`: every problem in the knowledge base, per file and across files."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Final
from urllib.parse import urlparse

from vraagbaak.knowledge.authoring import TRANSLATED_FROM, dutch_source, is_outdated
from vraagbaak.knowledge.loader import expected_path, load_knowledge
from vraagbaak.knowledge.messages import Phrase
from vraagbaak.knowledge.model import ArticleVersion, KnowledgeBase
from vraagbaak.knowledge.problems import Problem
from vraagbaak.languages import FALLBACK_LANGUAGE, LANGUAGES
from vraagbaak.safety.data import SafetyData, load_safety

#: Sites whose pages count as an official source (a subdomain counts too).
OFFICIAL_DOMAINS: Final = (
    "rijksoverheid.nl", "government.nl", "overheid.nl", "belastingdienst.nl", "toeslagen.nl",
    "duo.nl", "inburgeren.nl", "werk.nl", "uwv.nl", "kvk.nl", "idw.nl", "nuffic.nl", "s-bb.nl",
    "cak.nl", "zorginstituutnederland.nl", "ind.nl", "coa.nl", "milieucentraal.nl", "112.nl",
    "denhaag.nl", "enschede.nl", "haarlem.nl", "twentemilieu.nl", "spaarnelanden.nl", "gblt.nl",
    "cocensus.nl", "digid.nl", "113.nl", "svb.nl", "huurcommissie.nl", "juridischloket.nl", "nibud.nl", "vluchtelingenwerk.nl", "consuwijzer.nl", "gbtwente.nl", "netherlandsworldwide.nl", "studiekeuze123.nl", "ondernemersplein.nl", "nederlandwereldwijd.nl",
)
#: How long before its `review_by` date an answer's figures are reported as due for a check.
REVIEW_DUE_DAYS: Final = 30
_LINK: Final = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


@dataclass
class CheckReport:
    knowledge: KnowledgeBase
    problems: list[Problem]
    #: knowledge/safety/ as read for the check, so that a build does not read it again.
    safety: SafetyData | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


def is_official(url: str) -> bool:
    host = (urlparse(url).hostname or "").lower()
    return any(host == d or host.endswith("." + d) for d in OFFICIAL_DOMAINS)


def is_stale(version: ArticleVersion, today: date, stale_after_days: int) -> bool:
    return version.reviewed < today - timedelta(days=stale_after_days)


def is_review_due(version: ArticleVersion, today: date) -> bool:
    """From REVIEW_DUE_DAYS before `review_by` on: time enough to check a yearly figure before
    the new one applies, and a past date keeps being reported until someone sets a new one."""
    return version.review_by is not None and today >= version.review_by - timedelta(days=REVIEW_DUE_DAYS)


def _review_due(version: ArticleVersion, today: date) -> Problem:
    assert version.review_by is not None
    days = (version.review_by - today).days
    when = "review_past" if days < 0 else {0: "review_today", 1: "review_tomorrow"}.get(days, "review_soon")
    return Problem(version.path, version.line_of("review_by"), "warning", "review_due",
                   {"value": version.review_by.isoformat(), "days": days, "when": Phrase(when),
                    "source": version.source})


def _duplicates(kb: KnowledgeBase, misplaced: list[ArticleVersion]) -> list[Problem]:
    """Versions sharing id, language and municipality; the one in the right place is kept and
    the others (copies, renamed files) are reported, naming it."""
    groups: dict[tuple[str, str, str | None], list[ArticleVersion]] = defaultdict(list)
    for version in [*kb.versions, *misplaced]:
        groups[version.key].append(version)
    problems = []
    for versions in groups.values():
        if len(versions) < 2:
            continue
        # A file in another language's folder is a translation that kept the wrong `lang:`;
        # "wrong place" (path_mismatch) says that better than "duplicate".
        versions = [v for v in versions if v.path.resolve().relative_to(kb.root.resolve()).parts[0] == v.lang]
        if len(versions) < 2:
            continue
        keep = next((v for v in versions
                     if expected_path(kb.root, *v.key).resolve() == v.path.resolve()), versions[0])
        other = keep.path.relative_to(kb.root.parent)
        for version in versions:
            if version is not keep:
                problems.append(Problem(version.path, version.line_of("id"), "error", "duplicate_version",
                                        {"other": other}))
    return problems


def _missing_languages(kb: KnowledgeBase) -> list[Problem]:
    by_key = {v.key for v in kb.versions}
    problems = []
    for article_id in kb.ids():
        versions = kb.versions_of(article_id)
        for municipality in sorted({v.municipality for v in versions}, key=lambda m: m or ""):
            anchor = next((v for v in versions if v.municipality == municipality and v.lang == FALLBACK_LANGUAGE),
                          next(v for v in versions if v.municipality == municipality))
            where = f" for {municipality}" if municipality else ""
            for lang in LANGUAGES:
                if (article_id, lang, municipality) not in by_key:
                    problems.append(Problem(anchor.path, 1, "warning", "missing_language",
                                            {"id": article_id, "lang": lang, "where": where}))
    for version in kb.versions:
        if version.municipality and (version.id, version.lang, None) not in by_key:
            problems.append(Problem(version.path, version.line_of("municipality"), "warning",
                                    "variant_without_general", {"id": version.id, "lang": version.lang}))
    return problems


def _broken_links(version: ArticleVersion) -> list[Problem]:
    problems = []
    for offset, line in enumerate(version.body.split("\n")):
        for match in _LINK.finditer(line):
            target = match.group(1)
            if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith("#"):
                continue  # web, mail and phone links are not files
            resolved = (version.path.parent / target.split("#", 1)[0]).resolve()
            if not resolved.is_file():
                problems.append(Problem(version.path, version.body_line + offset, "error", "broken_link",
                                        {"target": target}))
    return problems


def check_knowledge(root: Path, today: date | None = None, stale_after_days: int = 365) -> CheckReport:
    """Load and validate everything; nothing here raises on bad content."""
    today = today or date.today()
    loaded = load_knowledge(root, today)
    kb, problems = loaded.knowledge, list(loaded.problems)
    duplicates = _duplicates(kb, loaded.misplaced)
    duplicated = {p.path for p in duplicates}
    # A copy is a duplicate; "rename it to <the other file's name>" would be the wrong advice.
    problems = [p for p in problems if not (p.code == "path_mismatch" and p.path in duplicated)]
    problems += duplicates
    problems += _missing_languages(kb)
    safety = load_safety(root)
    problems += safety.problems
    for version in kb.versions:
        problems += _broken_links(version)
        if is_outdated(kb, version):
            source = dutch_source(kb, version)
            assert source is not None
            problems.append(Problem(version.path, version.line_of(TRANSLATED_FROM),
                                    "warning", "outdated_translation",
                                    {"source": source.path.relative_to(kb.root.parent),
                                     "path": version.path.relative_to(kb.root.parent)}))
        if not is_official(version.source):
            problems.append(Problem(version.path, version.line_of("source"), "warning", "unofficial_source",
                                    {"value": version.source}))
        if is_stale(version, today, stale_after_days):
            problems.append(Problem(version.path, version.line_of("reviewed"), "warning", "stale",
                                    {"value": version.reviewed.isoformat(), "days": stale_after_days}))
        if is_review_due(version, today):
            problems.append(_review_due(version, today))
    problems.sort(key=lambda p: (p.severity != "error", str(p.path), p.line))
    return CheckReport(kb, problems, safety)
