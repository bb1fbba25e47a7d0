"""Rendering a compliance report: text table, CSV, JSON, and one self-contained HTML page.

The HTML page runs no script and loads nothing: styles are inline and charts are inline SVG,
so it opens anywhere, offline, and prints.  The report's JSON rides along in a non-executable
``application/json`` block for tools that want the numbers.
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Sequence
from datetime import timedelta

from .._common.durations import format_duration
from .report import GroupStats, MetricStats, Report

_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd")
CSV_COLUMNS = (
    "group",
    "metric",
    "tickets",
    "met",
    "breached",
    "open",
    "attainment",
    "elapsed_median_seconds",
    "elapsed_p90_seconds",
    "paused_seconds",
    "paused_business_seconds",
    "escalations",
    "outside_hours_lost_seconds",
    "paused_lost_seconds",
    "compensation",
)


def _label(group: GroupStats, by: Sequence[str]) -> str:
    if not by:
        return "all"
    return ", ".join(f"{name}={value}" for name, value in zip(by, group.key, strict=False))


def _dur(value: timedelta | None) -> str:
    return "-" if value is None else format_duration(value)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}%"


def _money(group: GroupStats) -> str:
    return "; ".join(f"{a:f} {c}" for c, a in sorted(group.compensation.items())) or "-"


def _rows(report: Report) -> list[tuple[str, GroupStats]]:
    rows = [(_label(g, report.by), g) for g in report.sorted_groups()]
    if report.by:
        rows.append(("all", report.total))
    return rows


def _cells(s: MetricStats) -> list[object]:
    """The figures of one group and metric, as the table and the HTML page show them."""
    return [
        s.tickets,
        s.met,
        s.breached,
        _pct(s.attainment),
        _dur(s.elapsed.quantile(0.5)),
        _dur(s.elapsed.quantile(0.9)),
        _dur(s.paused),
        s.escalations,
    ]


def render_json(report: Report) -> str:
    """The report as indented JSON."""
    return json.dumps(report.to_dict(), indent=2) + "\n"


def render_csv(report: Report) -> str:
    """One CSV row per group and metric."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for label, group in _rows(report):
        for name, s in group.metrics.items():
            if not s.tickets:
                continue
            median, p90 = s.elapsed.quantile(0.5), s.elapsed.quantile(0.9)
            writer.writerow(
                [
                    label,
                    name,
                    s.tickets,
                    s.met,
                    s.breached,
                    s.open,
                    "" if s.attainment is None else s.attainment,
                    "" if median is None else int(median.total_seconds()),
                    "" if p90 is None else int(p90.total_seconds()),
                    int(s.paused.total_seconds()),
                    int(s.paused_business.total_seconds()),
                    s.escalations,
                    int(s.lost_outside_hours.total_seconds()),
                    int(s.lost_paused.total_seconds()),
                    _money(group) if name == "first_response" else "",
                ]
            )
    return buffer.getvalue()


_LINE = "{:<28} {:<16} {:>7} {:>6} {:>8} {:>10} {:>9} {:>9} {:>9} {:>5}"


def render_table(report: Report) -> str:
    """A text table per group and metric, then compensation and breach causes.  The group
    column is as wide as its widest label: a group is never cut short."""
    rows = _rows(report)
    width = max([28, *(len(label) for label, _ in rows)])
    line = _LINE.replace("{:<28}", f"{{:<{width}}}")
    out = [
        f"as of {report.as_of.isoformat() if report.as_of else '-'}: {report.tickets_in} "
        f"tickets, {report.failed} failed",
        line.format(
            "group",
            "metric",
            "tickets",
            "met",
            "breached",
            "attainment",
            "median",
            "p90",
            "paused",
            "esc",
        ),
    ]
    for label, group in rows:
        for name, s in group.metrics.items():
            if s.tickets:
                out.append(line.format(label, name, *_cells(s)).rstrip())
        if group.compensation:
            out.append(f"{label:<{width}} compensation owed: {_money(group)}")
    out.append("")
    out.append("breach causes (all tickets):")
    for name, s in report.total.metrics.items():
        if s.breached:
            hour = max(s.breach_hours, key=lambda h: s.breach_hours[h]) if s.breach_hours else None
            out.append(
                f"  {name}: {s.breached} breached; time lost outside business hours "
                f"{_dur(s.lost_outside_hours)}, in pause statuses {_dur(s.lost_paused)}"
                + (f"; most breaches at {hour:02d}:00" if hour is not None else "")
            )
    return "\n".join(out) + "\n"


# -- HTML ---------------------------------------------------------------------------------

_STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #ccc;padding:.25rem .5rem}
th{background:#f3f3f3}td.n{text-align:right}h2{margin-top:2rem}svg{background:#fafafa}
.legend span{display:inline-block;margin-right:1rem}
"""


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _table_html(report: Report) -> str:
    head = (
        "<tr><th>group</th><th>metric</th><th>tickets</th><th>met</th><th>breached</th>"
        "<th>attainment</th><th>median</th><th>p90</th><th>paused</th><th>escalations</th>"
        "</tr>"
    )
    rows = []
    for label, group in _rows(report):
        for name, s in group.metrics.items():
            if not s.tickets:
                continue
            cells = _cells(s)
            rows.append(
                f'<tr data-group="{_esc(label)}" data-metric="{name}"><td>{_esc(label)}</td>'
                f"<td>{name}</td>"
                + "".join(f'<td class="n">{_esc(c)}</td>' for c in cells)
                + "</tr>"
            )
    money = "".join(
        f'<tr><td>{_esc(label)}</td><td class="n">{_esc(_money(group))}</td></tr>'
        for label, group in _rows(report)
        if group.compensation
    )
    comp = (
        (
            f'<h2>Compensation owed</h2><table id="compensation"><tr><th>group</th>'
            f"<th>amount</th></tr>{money}</table>"
        )
        if money
        else ""
    )
    return f'<table id="attainment">{head}{"".join(rows)}</table>{comp}'


def _trend_svg(report: Report) -> str:
    weeks = sorted({w for per in report.weekly.values() for w in per})
    if not weeks:
        return "<p>No finished metrics yet.</p>"
    width, height, pad = 640, 240, 40
    step = (width - 2 * pad) / max(len(weeks) - 1, 1)
    parts = [
        f'<svg id="trend" width="{width}" height="{height}" role="img" '
        'aria-label="attainment per week">',
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" '
        'stroke="#999"/>',
    ]
    for pct in (0, 50, 100):
        y = height - pad - pct / 100 * (height - 2 * pad)
        parts.append(f'<text x="4" y="{y + 4:.1f}" font-size="10">{pct}%</text>')
    legend = []
    for color, (metric, per) in zip(_COLORS, report.weekly.items(), strict=False):
        points = []
        for i, week in enumerate(weeks):
            met, breached = per.get(week, (0, 0))
            if met + breached:
                y = height - pad - met / (met + breached) * (height - 2 * pad)
                points.append(f"{pad + i * step:.1f},{y:.1f}")
        if points:
            parts.append(
                f'<polyline fill="none" stroke="{color}" stroke-width="2" '
                f'points="{" ".join(points)}"/>'
            )
            legend.append(f'<span style="color:{color}">&#9632; {metric}</span>')
    for i, week in enumerate(weeks):
        if len(weeks) <= 12 or i % max(len(weeks) // 12, 1) == 0:
            parts.append(
                f'<text x="{pad + i * step:.1f}" y="{height - 20}" font-size="9" '
                f'text-anchor="middle">{_esc(week)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts) + f'<div class="legend">{"".join(legend)}</div>'


def _bars_svg(name: str, counts: dict[str, int]) -> str:
    if not counts:
        return f"<p>No breaches by {_esc(name)}.</p>"
    width, bar = 480, 22
    top = max(counts.values())
    parts = [
        f'<svg id="breaches-{_esc(name)}" width="{width}" height="{bar * len(counts) + 10}" '
        f'role="img" aria-label="breaches by {_esc(name)}">'
    ]
    for i, (label, n) in enumerate(sorted(counts.items())):
        length = (width - 180) * n / top
        y = i * bar + 5
        parts.append(
            f'<text x="0" y="{y + 15}" font-size="12">{_esc(label)[:20]}</text>'
            f'<rect x="130" y="{y}" width="{length:.1f}" height="{bar - 6}" '
            f'fill="#d62728" data-count="{n}"/>'
            f'<text x="{135 + length:.1f}" y="{y + 15}" font-size="12">{n}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _histogram_svg(stats: MetricStats) -> str:
    counts = stats.elapsed.counts
    if not counts:
        return "<p>No finished first responses yet.</p>"
    targets = [m for m, _ in stats.targets.most_common(4)]
    top_minute = max(max(counts), *targets) if targets else max(counts)
    bins = 24
    size = max(1, -(-(top_minute + 1) // bins))
    heights = [0] * bins
    for minute, n in counts.items():
        heights[min(minute // size, bins - 1)] += n
    width, height, pad = 640, 220, 30
    column = (width - 2 * pad) / bins
    peak = max(heights) or 1
    parts = [
        f'<svg id="first-response-histogram" width="{width}" height="{height}" role="img" '
        'aria-label="first response times against the target">'
    ]
    for i, n in enumerate(heights):
        h = n / peak * (height - 2 * pad)
        parts.append(
            f'<rect x="{pad + i * column:.1f}" y="{height - pad - h:.1f}" '
            f'width="{column - 1:.1f}" height="{h:.1f}" fill="#1f77b4" '
            f'data-count="{n}"/>'
        )
    for row, minute in enumerate(sorted(targets)):
        x = pad + min(minute / size, bins) * column
        parts.append(
            f'<line x1="{x:.1f}" y1="{pad - 10}" x2="{x:.1f}" y2="{height - pad}" '
            'stroke="#d62728" stroke-dasharray="4 2"/>'
            f'<text x="{x + 3:.1f}" y="{pad + row * 12}" font-size="10">target '
            f"{_esc(format_duration(timedelta(minutes=minute)))}</text>"
        )
    parts.append(
        f'<text x="{pad}" y="{height - 8}" font-size="10">0</text>'
        f'<text x="{width - pad}" y="{height - 8}" font-size="10" text-anchor="end">'
        f"{_esc(format_duration(timedelta(minutes=size * bins)))}</text></svg>"
    )
    return "".join(parts)


_TITLE = "Service level report"


def render_html(report: Report) -> str:
    """One self-contained HTML page: tables and SVG charts, no external resource."""
    data = json.dumps(report.to_dict(), indent=None).replace("</", "<\\/")
    as_of = report.as_of.isoformat() if report.as_of else "-"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{_TITLE}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{_TITLE}</h1><p>As of {_esc(as_of)}: {report.tickets_in} tickets, "
        f"{report.tickets_in - report.failed} evaluated, {report.failed} failed.</p>"
        f"<h2>Attainment</h2>{_table_html(report)}"
        f"<h2>Attainment per week</h2>{_trend_svg(report)}"
        f"<h2>Breaches by priority</h2>{_bars_svg('priority', report.breaches_by['priority'])}"
        f"<h2>Breaches by channel</h2>{_bars_svg('channel', report.breaches_by['channel'])}"
        "<h2>First response times against the target</h2>"
        f"{_histogram_svg(report.total.metrics['first_response'])}"
        f'<script type="application/json" id="report-data">{data}</script>'
        "</body></html>\n"
    )
