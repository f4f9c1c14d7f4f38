"""`kb status --html FILE`: one page a coordinator can read, with counts, without any tooling."""

from __future__ import annotations

import html
from collections import Counter
from datetime import date

from vraagbaak.knowledge.authoring import is_outdated
from vraagbaak.knowledge.checker import REVIEW_DUE_DAYS, is_stale
from vraagbaak.knowledge.model import KnowledgeBase
from vraagbaak.knowledge.status import MISSING, OK, OUTDATED, STALE, awaiting_native_review, coverage, review_due
from vraagbaak.languages import LANGUAGES, NATIVE_NAMES

LABELS = {OK: "✓", MISSING: "ontbreekt / missing", STALE: "te oud / stale", OUTDATED: "vertaling verouderd / outdated"}
NATIVE_LABEL = "wacht op controle door moedertaalspreker / awaiting native review"
COLOURS = {OK: "#e6f4ea", MISSING: "#fde7e9", STALE: "#fff4ce", OUTDATED: "#fff4ce"}


def _native_row(kb: KnowledgeBase) -> str:
    """Per language, the translations no native speaker has checked yet (Dutch is the source)."""
    waiting = awaiting_native_review(kb)
    cells = "".join(f"<td>{waiting.get(lang, '—')}</td>" for lang in LANGUAGES)
    return f"<tr><th>{html.escape(NATIVE_LABEL)}</th>{cells}</tr>"


def _review_due_list(kb: KnowledgeBase, today: date) -> tuple[int, str]:
    """The versions whose figures must be checked again soon, or should have been already."""
    due = review_due(kb, today)
    items = "".join(
        f"<li>{html.escape(str(v.path.relative_to(kb.root.parent)))} ({v.review_by.isoformat()}"
        f"{', verlopen / past' if v.review_by < today else ''})</li>"
        for v in due if v.review_by is not None)
    return len(due), items or "<li>—</li>"


def render_html(kb: KnowledgeBase, today: date, stale_after_days: int) -> str:
    rows = coverage(kb, today, stale_after_days)
    e = html.escape
    counts = Counter((lang, row.cells[lang]) for row in rows for lang in LANGUAGES)
    by_topic: Counter[tuple[str, str]] = Counter()
    for row in rows:
        for lang in LANGUAGES:
            by_topic[(row.article_id.split("/")[0], row.cells[lang])] += 1
    outdated = sorted((v for v in kb.versions if is_outdated(kb, v)), key=lambda v: str(v.path))
    stale = sorted((v for v in kb.versions if is_stale(v, today, stale_after_days)), key=lambda v: v.reviewed)
    head = "".join(f"<th>{e(NATIVE_NAMES[lang])}</th>" for lang in LANGUAGES)
    summary = "".join(
        f"<tr><th>{e(LABELS[state])}</th>" + "".join(f"<td>{counts[(lang, state)]}</td>" for lang in LANGUAGES) + "</tr>"
        for state in (OK, MISSING, STALE, OUTDATED)) + _native_row(kb)
    due_count, due_list = _review_due_list(kb, today)
    topics = "".join(
        f"<tr><th>{e(kb.topics.get(topic, {}).get('nl', topic))}</th>"
        + "".join(f"<td>{by_topic[(topic, state)]}</td>" for state in (OK, MISSING, STALE, OUTDATED)) + "</tr>"
        for topic in sorted({r.article_id.split('/')[0] for r in rows}))
    table = "".join(
        f"<tr><th>{e(r.article_id)}{(' · ' + e(kb.municipalities[r.municipality].name)) if r.municipality else ''}</th>"
        + "".join(f'<td style="background:{COLOURS[r.cells[lang]]}">{e(LABELS[r.cells[lang]])}</td>' for lang in LANGUAGES)
        + "</tr>" for r in rows)
    outdated_list = "".join(f"<li>{e(str(v.path.relative_to(kb.root.parent)))}</li>" for v in outdated) or "<li>—</li>"
    stale_list = "".join(f"<li>{e(str(v.path.relative_to(kb.root.parent)))} ({v.reviewed.isoformat()})</li>"
                         for v in stale) or "<li>—</li>"
    return f"""<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Vraagbaak kennisbank – stand van zaken {today.isoformat()}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem}}table{{border-collapse:collapse;margin:1rem 0}}
th,td{{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}}caption{{text-align:left;font-weight:bold}}</style></head>
<body>
<h1>Vraagbaak kennisbank – stand van zaken / status</h1>
<p>{today.isoformat()}: {len(kb.versions)} artikelversies, {len(kb.ids())} artikelen, {len(LANGUAGES)} talen,
{len(kb.municipalities)} gemeenten. Te oud = langer dan {stale_after_days} dagen niet gecontroleerd.</p>
<table><caption>Per taal / per language</caption><tr><th></th>{head}</tr>{summary}</table>
<table><caption>Per onderwerp / per topic</caption><tr><th></th>{''.join(f'<th>{e(LABELS[s])}</th>' for s in (OK, MISSING, STALE, OUTDATED))}</tr>{topics}</table>
<h2>Verouderde vertalingen / outdated translations ({len(outdated)})</h2><ul>{outdated_list}</ul>
<h2>Te lang niet gecontroleerd / stale reviews ({len(stale)})</h2><ul>{stale_list}</ul>
<h2>Cijfers opnieuw controleren / figures to check again ({due_count})</h2>
<p>review_by binnen {REVIEW_DUE_DAYS} dagen of voorbij / within {REVIEW_DUE_DAYS} days or past</p><ul>{due_list}</ul>
<table><caption>Alle artikelen / all articles</caption><tr><th>artikel</th>{head}</tr>{table}</table>
</body></html>
"""
