"""The `vraagbaak` command: knowledge tooling, asking questions, measuring quality and speed."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from vraagbaak.languages import LANGUAGES
from vraagbaak.logs import configure_logging
from vraagbaak.settings import Settings


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except ValueError as exc:
        sys.exit(f"vraagbaak: {exc}")


def cmd_kb_check(args: argparse.Namespace) -> int:
    from vraagbaak.knowledge.checker import check_knowledge

    settings = _settings()
    lang = args.lang or settings.message_lang
    report = check_knowledge(settings.knowledge_dir, stale_after_days=settings.stale_after_days)
    base = settings.knowledge_dir.parent
    titles = {"en": ("Errors", "Warnings", "articles checked"), "nl": ("Fouten", "Waarschuwingen", "artikelen gecontroleerd")}
    errors_title, warnings_title, checked = titles[lang]
    if report.errors:
        print(f"{errors_title} ({len(report.errors)}):")
        for problem in report.errors:
            print("  " + problem.format(lang, base))
    if report.warnings and not args.errors_only:
        print(f"{warnings_title} ({len(report.warnings)}):")
        for problem in report.warnings:
            print("  " + problem.format(lang, base))
    print(f"{len(report.knowledge.versions)} {checked}: {len(report.errors)} "
          f"{errors_title.lower()}, {len(report.warnings)} {warnings_title.lower()}.")
    return 1 if report.errors else 0


def cmd_kb_status(args: argparse.Namespace) -> int:
    from vraagbaak.knowledge.loader import load_knowledge
    from vraagbaak.knowledge.status import coverage, render_reviews, render_table

    settings = _settings()
    kb = load_knowledge(settings.knowledge_dir).knowledge
    if args.html:
        from vraagbaak.knowledge.report import render_html

        Path(args.html).write_text(render_html(kb, date.today(), settings.stale_after_days), encoding="utf-8")
        print(f"Wrote {args.html}")
        return 0
    print(render_table(coverage(kb, date.today(), settings.stale_after_days)))
    print()
    print(render_reviews(kb, date.today()))
    return 0


def cmd_kb_new(args: argparse.Namespace) -> int:
    from vraagbaak.knowledge.authoring import new_article
    from vraagbaak.knowledge.loader import load_knowledge

    settings = _settings()
    kb = load_knowledge(settings.knowledge_dir).knowledge
    try:
        path = new_article(kb, args.id, args.lang, args.municipality)
    except (ValueError, FileExistsError) as exc:
        print(f"vraagbaak: {exc}", file=sys.stderr)
        return 1
    print(f"Created {path}. Fill it in, then check it: vraagbaak kb check")
    return 0


def cmd_kb_translated(args: argparse.Namespace) -> int:
    from vraagbaak.knowledge.authoring import mark_translated
    from vraagbaak.knowledge.loader import load_knowledge

    settings = _settings()
    kb = load_knowledge(settings.knowledge_dir).knowledge
    status = 0
    for name in args.paths:
        try:
            mark_translated(kb, Path(name))
            print(f"{name}: marked as translated from the current Dutch text (review: machine). "
                  f"If a native speaker made or checked this translation, run: vraagbaak kb reviewed {name} --by HANDLE")
        except ValueError as exc:
            print(f"vraagbaak: {exc}", file=sys.stderr)
            status = 1
    return status


def cmd_kb_reviewed(args: argparse.Namespace) -> int:
    """Exit 2 when the file or the handle is not fit: nothing is written then."""
    from vraagbaak.knowledge.authoring import Refused, mark_native_reviewed
    from vraagbaak.knowledge.loader import load_knowledge

    settings = _settings()
    lang = args.lang or settings.message_lang
    base = settings.knowledge_dir.parent
    loaded = load_knowledge(settings.knowledge_dir)
    path = Path(args.path)
    try:
        mark_native_reviewed(loaded.knowledge, path, args.by)
    except Refused as refused:
        if refused.problem.code == "reviewed_invalid":
            for problem in loaded.problems:
                if problem.severity == "error" and problem.path.resolve() == path.resolve():
                    print("  " + problem.format(lang, base), file=sys.stderr)
        print(refused.problem.format(lang, base), file=sys.stderr)
        return 2
    print(f"{args.path}: marked as checked by a native speaker ({args.by}, {date.today().isoformat()})")
    return 0


def cmd_kb_todo(args: argparse.Namespace) -> int:
    from vraagbaak.desk.database import DatabaseError
    from vraagbaak.desk.records import Records
    from vraagbaak.knowledge.worklist import build_worklist, render_drafts, render_worklist

    settings = _settings()
    drafts = render_drafts(settings)
    if not settings.database_url and not settings.database_path.is_file():
        print(f"No questions recorded yet ({settings.database_path} does not exist).\n\n{drafts}")
        return 0
    try:
        records = Records.open(settings)
        try:
            work = build_worklist(records, args.days)
        finally:
            records.database.close()
    except DatabaseError as exc:  # its message holds no password
        print(f"vraagbaak: could not read the records in {settings.database_shown}: {exc}", file=sys.stderr)
        return 1
    print(f"{render_worklist(work, args.days)}\n\n{drafts}")
    return 0


def cmd_desk_status(args: argparse.Namespace) -> int:
    """Open tickets, waiting times and the answered share per language (never a ticket's text)."""
    from vraagbaak.desk.config import DeskConfig
    from vraagbaak.desk.database import DatabaseError, open_database
    from vraagbaak.desk.status import desk_status, render_status
    from vraagbaak.desk.tickets import TicketStore
    from vraagbaak.desk.times import now

    settings = _settings()
    config = DeskConfig.from_settings(settings)  # a ValueError names the variable (main prints it)
    moment, stats = now(), {}
    if settings.database_url or settings.database_path.is_file():  # no file: no tickets, none created
        try:
            database = open_database(settings)
            try:
                stats = TicketStore(database).stats(moment)
            finally:
                database.close()
        except DatabaseError as exc:  # its message holds no password
            print(f"vraagbaak: could not read the desk in {settings.database_shown}: {exc}", file=sys.stderr)
            return 1
    print(render_status(desk_status(stats, config, moment), moment, config))
    return 0


def cmd_kb_build(args: argparse.Namespace) -> int:
    from vraagbaak.search.service import KnowledgeInvalid, build

    settings = _settings()
    try:
        report = build(settings)
    except KnowledgeInvalid as exc:
        print(f"vraagbaak: {exc}. The previous index is kept.", file=sys.stderr)
        return 1
    print(f"Built {report.path} in {report.seconds:.1f} s: {report.versions} article versions, "
          f"{report.embedded} texts embedded, {report.reused} reused from the cache.")
    for lang, c in report.calibration.items():
        print(f"  {lang}: answer when confidence >= {c.threshold:.3f} (calibrated on {c.in_scope} in-scope and "
              f"{c.out_of_scope} out-of-scope questions: refuses {c.in_scope_refused:.0%} / {c.out_of_scope_refused:.0%})")
    for lang, c in report.bank.items():
        print(f"  {lang}: not covered when an out-of-scope example is nearer by > {c['margin']:.3f} (refuses "
              f"{c['in_scope_refused']:.0%} of {c['in_scope']} article questions and {c['out_of_scope_refused']:.0%} "
              f"of {c['out_of_scope']} out-of-scope ones, each left out in turn)")
    safety = report.safety
    if safety:
        rates, counts = safety["alarm_rate"], safety["examples"]
        print(f"  safety: {len(safety['danger'])} danger and {len(safety['calm'])} calm patterns; by meaning alone an "
              f"alarm when >= {safety['margin']:.3f} closer to an emergency than to a calm example: "
              f"{rates['emergency']:.0%} of {counts['emergency']} emergency examples, {rates['calm']:.0%} of "
              f"{counts['calm']} calm ones, {rates['ordinary']:.1%} of {counts['ordinary']} ordinary questions")
    return 0


def cmd_privacy_purge(args: argparse.Namespace) -> int:
    """Exit 1 when a database could not be purged (the others are purged still)."""
    from vraagbaak.privacy.purge import purge, render_purge

    report = purge(_settings(), args.days, args.dry_run)
    print(render_purge(report))
    for error in report.errors:
        print(f"vraagbaak: could not purge {error}", file=sys.stderr)
    return 1 if report.errors else 0


def _whole_days(raw: str) -> int:
    try:
        days = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of days: {raw!r}") from None
    if days < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1 day, got {days}")
    return days


def cmd_ask(args: argparse.Namespace) -> int:
    from vraagbaak.search.service import open_engine
    from vraagbaak.search.types import SearchRequest

    engine = open_engine(_settings())
    result = engine.search(SearchRequest(args.question, lang=args.lang, municipality=args.municipality))
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return 0
    if result.answer is None:
        print(f"No answer (reason: {result.abstain_reason}; confidence {result.confidence:.3f} < "
              f"threshold {result.threshold:.3f}).")
        for c in result.candidates:
            print(f"  nearest: {c.article_id} (dense {c.dense:.3f})")
        return 0
    a = result.answer
    print(f"# {a.title}\n\n{a.body}\n")
    if a.not_translated:
        print(f"(not translated into {result.answer_lang} yet: Dutch text shown)")
    print(f"article: {a.article_id}  lang: {a.lang}  municipality: {a.municipality or '-'}")
    print(f"source: {a.source}  reviewed: {a.reviewed}")
    print(f"score: {result.candidates[0].score:.3f}  confidence: {result.confidence:.3f} (threshold {result.threshold:.3f})")
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    """A question prompt in the terminal: the engine without Rasa, for trying answers."""
    from vraagbaak.search.service import open_engine
    from vraagbaak.search.types import SearchRequest

    engine = open_engine(_settings())
    print("Vraagbaak is ready. Type a question in Dutch, English, Arabic or Tigrinya (Ctrl-D to stop).")
    for line in sys.stdin:
        result = engine.search(SearchRequest(line, lang=args.lang, municipality=args.municipality))
        if result.answer is None:
            print("\nSorry, I do not know the answer to that. Please ask a volunteer or your municipality.\n")
            continue
        a = result.answer
        print(f"\n{a.title}\n\n{a.body}\n\nSource: {a.source} (checked {a.reviewed})\n")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from vraagbaak.runtime.supervisor import run

    configure_logging()
    return run(_settings())


def cmd_web(args: argparse.Namespace) -> int:
    """Only the web gateway (docker-compose runs Rasa and the action server separately)."""
    from vraagbaak.channels.web import serve

    settings = _settings()
    configure_logging()
    print(f"Web chat on http://{settings.host}:{settings.web_port} (Rasa at {settings.rasa_url})", flush=True)
    serve(settings)
    return 0


def cmd_telegram(args: argparse.Namespace) -> int:
    """Only the Telegram bridge (`vraagbaak run` starts it too when a token is set)."""
    settings = _settings()
    if not settings.telegram_token:
        print("vraagbaak: set VRAAGBAAK_TELEGRAM_TOKEN to the token @BotFather gave you "
              "(README, section Telegram)", file=sys.stderr)
        return 2
    from vraagbaak.channels.telegram.bridge import run_bridge

    print(f"Telegram bridge ({settings.telegram_mode}; Rasa at {settings.rasa_url})", flush=True)
    return run_bridge(settings)


def cmd_eval(args: argparse.Namespace) -> int:
    from vraagbaak.evaluation.questions import load_questions
    from vraagbaak.evaluation.report import evaluate, render_report

    questions = load_questions(Path(args.file))
    settings = _settings()
    if args.through_rasa:
        from vraagbaak.evaluation.through_rasa import RasaSearcher

        searcher = RasaSearcher(settings.rasa_url)
    else:
        from vraagbaak.search.service import open_engine

        searcher = open_engine(settings)
    report = evaluate(searcher, questions)
    print(json.dumps(report, ensure_ascii=False, indent=1) if args.json else render_report(report))
    return 0


def cmd_eval_safety(args: argparse.Namespace) -> int:
    """Emergency recall and false alarms per language and need, on a safety case file."""
    from vraagbaak.evaluation.safety import EngineProbe, RasaProbe, evaluate_safety, load_cases, render_safety_report

    cases = load_cases(Path(args.file))
    settings = _settings()
    check_ms: list[float] = []
    if args.through_rasa:
        probe: EngineProbe | RasaProbe = RasaProbe(settings.rasa_url)
    else:
        from vraagbaak.search.service import open_engine

        probe = EngineProbe(open_engine(settings), check_ms)
    report = evaluate_safety(probe, cases)
    print(json.dumps(report, ensure_ascii=False, indent=1) if args.json else render_safety_report(report, check_ms))
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    """Our engine side by side with Rasa's own FAQ mechanism trained on the current knowledge base."""
    from vraagbaak.evaluation.compare import CompareFailed, render_comparison, run_compare

    try:
        result = run_compare(_settings(), Path(args.file), keep=Path(args.keep) if args.keep else None)
    except CompareFailed as exc:
        print(f"vraagbaak compare: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(result, ensure_ascii=False, indent=1) if args.json else render_comparison(result))
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    settings = _settings()
    if args.cluster:  # the whole assistant scaled out: tests/cluster/ run with CLUSTER_BENCH_FIGURES
        from vraagbaak.evaluation.cluster_bench import run_cluster_bench
        return run_cluster_bench()
    if args.gateway:
        from vraagbaak.evaluation.gateway_bench import run_gateway_bench
        from vraagbaak.knowledge.loader import load_knowledge

        kb = load_knowledge(settings.knowledge_dir).knowledge
        return run_gateway_bench(settings, [q for v in kb.versions for q in v.questions[:2]], count=args.queries)
    if args.through_rasa:
        from vraagbaak.evaluation.through_rasa import bench_through_rasa
        from vraagbaak.knowledge.loader import load_knowledge

        kb = load_knowledge(settings.knowledge_dir).knowledge
        bench_through_rasa(settings.rasa_url, [q for v in kb.versions for q in v.questions[:2]], count=args.queries)
        return 0
    from vraagbaak.evaluation.bench import run_bench

    run_bench(settings, sizes=[int(s) for s in args.sizes.split(",") if s], queries=args.queries)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vraagbaak", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    kb = sub.add_parser("kb", help="work on the knowledge base").add_subparsers(dest="kb_command", required=True)
    check = kb.add_parser("check", help="validate every article; exit 1 on errors")
    check.add_argument("--lang", choices=("en", "nl"), help="language of the messages (default: VRAAGBAAK_MESSAGE_LANG)")
    check.add_argument("--errors-only", action="store_true", help="do not list warnings")
    check.set_defaults(func=cmd_kb_check)
    status = kb.add_parser("status", help="coverage table: articles x languages x municipalities")
    status.add_argument("--html", metavar="FILE", help="write a one-page report for coordinators")
    status.set_defaults(func=cmd_kb_status)
    kb.add_parser("build", help="build the search index (incremental)").set_defaults(func=cmd_kb_build)
    new = kb.add_parser("new", help="create an article file (a translation starts from the Dutch text)")
    new.add_argument("id", help="topic/name, e.g. huisvuil/grofvuil")
    new.add_argument("--lang", required=True, choices=LANGUAGES)
    new.add_argument("--municipality")
    new.set_defaults(func=cmd_kb_new)
    translated = kb.add_parser("translated", help="record that translations match the current Dutch text")
    translated.add_argument("paths", nargs="+")
    translated.set_defaults(func=cmd_kb_translated)
    reviewed = kb.add_parser("reviewed", help="record that a native speaker checked a translation")
    reviewed.add_argument("path", help="a translation, e.g. knowledge/ar/werk/cv.md")
    reviewed.add_argument("--by", required=True, metavar="HANDLE", help="the reviewer's handle (user name)")
    reviewed.add_argument("--lang", choices=("en", "nl"), help="language of the messages (default: VRAAGBAAK_MESSAGE_LANG)")
    reviewed.set_defaults(func=cmd_kb_reviewed)

    todo = kb.add_parser("todo", help="questions nobody could answer, answers marked not helpful: work to do")
    todo.add_argument("--days", type=int, default=30, help="look back this many days (default 30)")
    todo.set_defaults(func=cmd_kb_todo)

    desk = sub.add_parser("desk", help="the volunteers' desk").add_subparsers(dest="desk_command", required=True)
    desk.add_parser("status", help="open tickets, waiting times and answered share per language").set_defaults(
        func=cmd_desk_status)

    privacy = sub.add_parser("privacy", help="what users told us: delete it after the retention period").add_subparsers(
        dest="privacy_command", required=True)
    purge = privacy.add_parser("purge", help="delete conversations and records older than the retention period")
    purge.add_argument("--days", type=_whole_days, metavar="N",
                       help="delete what is older than N days (default: VRAAGBAAK_RETENTION_DAYS, 90)")
    purge.add_argument("--dry-run", action="store_true", help="count what would be deleted; delete nothing")
    purge.set_defaults(func=cmd_privacy_purge)

    ask = sub.add_parser("ask", help="answer one question from the knowledge base")
    ask.add_argument("question")
    ask.add_argument("--lang", choices=LANGUAGES, help="answer language (default: the question's)")
    ask.add_argument("--municipality", help="den-haag, enschede, haarlem ...")
    ask.add_argument("--json", action="store_true")
    ask.set_defaults(func=cmd_ask)

    sub.add_parser("run", help="start the Rasa server, action server and web chat").set_defaults(func=cmd_run)

    sub.add_parser("web", help="only the web gateway and chat page").set_defaults(func=cmd_web)

    sub.add_parser("telegram", help="only the Telegram bridge (needs VRAAGBAAK_TELEGRAM_TOKEN)").set_defaults(
        func=cmd_telegram)

    chat = sub.add_parser("chat", help="ask questions in the terminal, one per line")
    chat.add_argument("--lang", choices=LANGUAGES)
    chat.add_argument("--municipality")
    chat.set_defaults(func=cmd_chat)

    for name, func, what in (("eval", cmd_eval, "top-1/top-3 and abstention on a question file"),
                             ("eval-safety", cmd_eval_safety, "emergency recall and false alarms on a safety case file")):
        evaluation = sub.add_parser(name, help=what)
        evaluation.add_argument("file")
        evaluation.add_argument("--json", action="store_true")
        evaluation.add_argument("--through-rasa", action="store_true", help="ask the running Rasa assistant instead")
        evaluation.set_defaults(func=func)

    compare = sub.add_parser("compare", help="our engine next to Rasa's own FAQ (ResponseSelector) on a question file")
    compare.add_argument("file")
    compare.add_argument("--json", action="store_true")
    compare.add_argument("--keep", metavar="DIR", help="generate and train the Rasa project in DIR and keep it")
    compare.set_defaults(func=cmd_compare)

    bench = sub.add_parser("bench", help="search latency, build time and memory")
    bench.add_argument("--sizes", default="1000,10000", help="synthetic knowledge base sizes (articles)")
    bench.add_argument("--queries", type=int, default=300)
    bench.add_argument("--gateway", action="store_true",
                       help="the web gateway's own overhead, and the running assistant through the gateway and "
                            "through Rasa, alone, with concurrent senders and during a flood")
    bench.add_argument("--through-rasa", action="store_true",
                       help="time full answers through the running assistant (VRAAGBAAK_RASA_URL)")
    bench.add_argument("--cluster", action="store_true", help="one replica of each server against two, and two while "
                       "one of each is killed, on PostgreSQL, Redis and haproxy (runs tests/cluster/, ~5 min)")
    bench.set_defaults(func=cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        return 0
    except Exception as exc:  # the last line of defence: a message, not a traceback, for volunteers
        from vraagbaak.search.index import IndexMissing
        from vraagbaak.search.service import KnowledgeInvalid

        if isinstance(exc, (IndexMissing, KnowledgeInvalid, FileNotFoundError, ValueError)):
            print(f"vraagbaak: {exc}", file=sys.stderr)
            return 1
        raise


if __name__ == "__main__":
    sys.exit(main())
