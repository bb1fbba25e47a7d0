"""``servicepolicy report``: a compliance report (attainment, percentiles, breach causes) as a
table, CSV, JSON or one self-contained HTML page."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from functools import partial

from .._i18n import ENGLISH, Language
from .._reports.render import render_csv, render_html, render_json, render_table
from .._reports.report import Report
from ._batch import report_of
from ._output import add_output_argument
from ._parallel import add_jobs_argument
from ._shared import (
    FINDINGS,
    Context,
    Done,
    TicketBatch,
    add_language_arguments,
    add_policy_and_tickets,
    add_strict_input,
    language_of,
    over_tickets,
    summary,
)

HELP = "compliance report: attainment, breaches, causes"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``servicepolicy report``."""
    add_policy_and_tickets(parser)
    add_strict_input(parser)
    parser.add_argument(
        "--by",
        default="",
        help="group by fields and/or week, comma separated (priority,channel,week)",
    )
    parser.add_argument("--format", choices=["table", "csv", "json", "html"], default="table")
    add_language_arguments(parser)
    add_jobs_argument(parser)
    add_output_argument(parser)


def run(args: argparse.Namespace, ctx: Context) -> int:
    """Report over every ticket; 0 all evaluated, 1 some could not be."""
    by = [part.strip() for part in args.by.split(",") if part.strip()]
    # JSON and CSV are data, the same in every language: they need no language's package
    words = language_of(args) if args.format in ("table", "html") else ENGLISH
    return over_tickets(
        args,
        ctx,
        lambda batch: write_report(batch, by, args.format, args.jobs, words, args.progress),
    )


def write_report(
    batch: TicketBatch,
    by: Sequence[str],
    output: str,
    jobs: int = 1,
    lang: Language = ENGLISH,
    progress: bool = False,
) -> Done:
    """Fold every evaluation into a :class:`Report` (on ``jobs`` processes) and write it in
    ``output`` format; the table and the HTML page in ``lang`` (CSV and JSON are data, the
    same in every language)."""
    report = report_of(batch, by, jobs, progress)
    renderers: dict[str, Callable[[Report], str]] = {
        "table": partial(render_table, lang=lang),
        "csv": render_csv,
        "json": render_json,
        "html": partial(render_html, lang=lang),
    }
    batch.out.write(renderers[output](report))
    done = summary(report.tickets_in, report.failed, batch.as_of, tally=batch.tally)
    unseen = report.unseen_groupings()
    if not unseen:
        return done
    said = "".join(f"servicepolicy: warning: {text}\n" for text in unseen)
    return Done(FINDINGS if batch.strict_input else done.status, said + done.message)
