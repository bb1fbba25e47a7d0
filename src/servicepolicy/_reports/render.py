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

from .._i18n import ENGLISH, N_, Language
from .report import GroupStats, MetricStats, Report


def _ltr(lang: Language) -> str:
    """Charts keep their axes in every language: time and minutes grow to the right."""
    return ' direction="ltr"' if lang.direction == "rtl" else ""


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


def _label(group: GroupStats, by: Sequence[str], lang: Language = ENGLISH) -> str:
    if not by:
        return lang.t("all")
    return ", ".join(f"{name}={value}" for name, value in zip(by, group.key, strict=False))


def _dur(value: timedelta | None, lang: Language = ENGLISH) -> str:
    return "-" if value is None else lang.duration(value)


def _money(group: GroupStats, lang: Language = ENGLISH) -> str:
    if lang is ENGLISH:
        return "; ".join(f"{a:f} {c}" for c, a in sorted(group.compensation.items())) or "-"
    return "; ".join(f"{lang.amount(a)} {c}" for c, a in sorted(group.compensation.items())) or "-"


def _rows(report: Report, lang: Language = ENGLISH) -> list[tuple[str, GroupStats]]:
    rows = [(_label(g, report.by, lang), g) for g in report.sorted_groups()]
    if report.by:
        rows.append((lang.t("all"), report.total))
    return rows


def _cells(s: MetricStats, lang: Language = ENGLISH) -> list[object]:
    """The figures of one group and metric, as the table and the HTML page show them."""
    return [
        lang.number(s.tickets),
        lang.number(s.met),
        lang.number(s.breached),
        lang.percent(s.attainment),
        _dur(s.elapsed.quantile(0.5), lang),
        _dur(s.elapsed.quantile(0.9), lang),
        _dur(s.paused, lang),
        lang.number(s.escalations),
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


def render_table(report: Report, lang: Language = ENGLISH) -> str:
    """A text table per group and metric, then compensation and breach causes.  The group
    column is as wide as its widest label: a group is never cut short."""
    rows = _rows(report, lang)
    width = max([28, *(len(label) for label, _ in rows)])
    line = _LINE.replace("{:<28}", f"{{:<{width}}}")
    out = [
        lang.t(
            "as of {at}: {tickets} tickets, {failed} failed",
            at=lang.instant(report.as_of),
            tickets=lang.number(report.tickets_in),
            failed=lang.number(report.failed),
        ),
        line.format(
            lang.t("group"),
            lang.t("metric"),
            lang.t("tickets"),
            lang.t("met"),
            lang.t("breached"),
            lang.t("attainment"),
            lang.t("median"),
            lang.t("p90"),
            lang.t("paused"),
            lang.t("esc"),
        ),
    ]
    for label, group in rows:
        for name, s in group.metrics.items():
            if s.tickets:
                out.append(line.format(label, lang.t(name), *_cells(s, lang)).rstrip())
        if group.compensation:
            owed = lang.t("compensation owed: {amounts}", amounts=_money(group, lang))
            out.append(f"{label:<{width}} {owed}")
    out.append("")
    out.append(lang.t("breach causes (all tickets):"))
    for name, s in report.total.metrics.items():
        if s.breached:
            hour = max(s.breach_hours, key=lambda h: s.breach_hours[h]) if s.breach_hours else None
            text = lang.t(
                "{metric}: {breached} breached; time lost outside business hours {outside}, "
                "in pause statuses {paused}",
                metric=lang.t(name),
                breached=lang.number(s.breached),
                outside=_dur(s.lost_outside_hours, lang),
                paused=_dur(s.lost_paused, lang),
            )
            if hour is not None:
                text += lang.t("; most breaches at {hour}", hour=f"{hour:02d}:00")
            out.append("  " + text)
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


_HEADINGS = (
    N_("group"),
    N_("metric"),
    N_("tickets"),
    N_("met"),
    N_("breached"),
    N_("attainment"),
    N_("median"),
    N_("p90"),
    N_("paused"),
    N_("escalations"),
)
_FIELDS = (N_("priority"), N_("channel"))


def _table_html(report: Report, lang: Language) -> str:
    head = "<tr>" + "".join(f"<th>{_esc(lang.t(h))}</th>" for h in _HEADINGS) + "</tr>"
    rows = []
    # the data- attributes are for programs: the same in every language
    for (key, group), (label, _) in zip(_rows(report), _rows(report, lang), strict=True):
        for name, s in group.metrics.items():
            if not s.tickets:
                continue
            cells = _cells(s, lang)
            rows.append(
                f'<tr data-group="{_esc(key)}" data-metric="{name}"><td>{_esc(label)}</td>'
                f"<td>{_esc(lang.t(name))}</td>"
                + "".join(f'<td class="n">{_esc(c)}</td>' for c in cells)
                + "</tr>"
            )
    money = "".join(
        f'<tr><td>{_esc(label)}</td><td class="n">{_esc(_money(group, lang))}</td></tr>'
        for label, group in _rows(report, lang)
        if group.compensation
    )
    comp = (
        (
            f'<h2>{_esc(lang.t("Compensation owed"))}</h2><table id="compensation"><tr>'
            f"<th>{_esc(lang.t('group'))}</th><th>{_esc(lang.t('amount'))}</th></tr>"
            f"{money}</table>"
        )
        if money
        else ""
    )
    return f'<table id="attainment">{head}{"".join(rows)}</table>{comp}'


def _trend_svg(report: Report, lang: Language) -> str:
    weeks = sorted({w for per in report.weekly.values() for w in per})
    if not weeks:
        return f"<p>{_esc(lang.t('No finished metrics yet.'))}</p>"
    width, height, pad = 640, 240, 40
    step = (width - 2 * pad) / max(len(weeks) - 1, 1)
    parts = [
        f'<svg id="trend" width="{width}" height="{height}" role="img" '
        f'aria-label="{_esc(lang.t("attainment per week"))}"{_ltr(lang)}>',
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" '
        'stroke="#999"/>',
    ]
    for pct in (0, 50, 100):
        y = height - pad - pct / 100 * (height - 2 * pad)
        parts.append(f'<text x="4" y="{y + 4:.1f}" font-size="10">{lang.number(pct)}%</text>')
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
            legend.append(f'<span style="color:{color}">&#9632; {_esc(lang.t(metric))}</span>')
    for i, week in enumerate(weeks):
        if len(weeks) <= 12 or i % max(len(weeks) // 12, 1) == 0:
            parts.append(
                f'<text x="{pad + i * step:.1f}" y="{height - 20}" font-size="9" '
                f'text-anchor="middle">{_esc(week)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts) + f'<div class="legend">{"".join(legend)}</div>'


def _bars_svg(name: str, counts: dict[str, int], lang: Language) -> str:
    field = lang.t(name)
    if not counts:
        return f"<p>{_esc(lang.t('No breaches by {field}.', field=field))}</p>"
    width, bar = 480, 22
    top = max(counts.values())
    parts = [
        f'<svg id="breaches-{_esc(name)}" width="{width}" height="{bar * len(counts) + 10}" '
        f'role="img" aria-label="{_esc(lang.t("breaches by {field}", field=field))}"{_ltr(lang)}>'
    ]
    for i, (label, n) in enumerate(sorted(counts.items())):
        length = (width - 180) * n / top
        y = i * bar + 5
        parts.append(
            f'<text x="0" y="{y + 15}" font-size="12">{_esc(label[:20])}</text>'
            f'<rect x="130" y="{y}" width="{length:.1f}" height="{bar - 6}" '
            f'fill="#d62728" data-count="{n}"/>'
            f'<text x="{135 + length:.1f}" y="{y + 15}" font-size="12">{lang.number(n)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _histogram_svg(stats: MetricStats, lang: Language) -> str:
    counts = stats.elapsed.counts
    if not counts:
        return f"<p>{_esc(lang.t('No finished first responses yet.'))}</p>"
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
        f'aria-label="{_esc(lang.t("first response times against the target"))}"{_ltr(lang)}>'
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
        label = lang.t("target {duration}", duration=lang.duration(timedelta(minutes=minute)))
        parts.append(
            f'<line x1="{x:.1f}" y1="{pad - 10}" x2="{x:.1f}" y2="{height - pad}" '
            'stroke="#d62728" stroke-dasharray="4 2"/>'
            f'<text x="{x + 3:.1f}" y="{pad + row * 12}" font-size="10">'
            f"{_esc(label)}</text>"
        )
    parts.append(
        f'<text x="{pad}" y="{height - 8}" font-size="10">{lang.number(0)}</text>'
        f'<text x="{width - pad}" y="{height - 8}" font-size="10" text-anchor="end">'
        f"{_esc(lang.duration(timedelta(minutes=size * bins)))}</text></svg>"
    )
    return "".join(parts)


def render_html(report: Report, lang: Language = ENGLISH) -> str:
    """One self-contained HTML page: tables and SVG charts, no external resource.  In a
    right-to-left language the page reads right to left; the charts keep their axes (time
    and minutes grow to the right) and only their words are translated."""
    data = json.dumps(report.to_dict(), indent=None).replace("</", "<\\/")
    title = _esc(lang.t("Service level report"))
    direction = f' dir="{lang.direction}"' if lang.direction != "ltr" else ""
    # the instant is isolated, so a right-to-left page does not reorder its parts
    at = f'<bdi dir="ltr">{_esc(lang.instant(report.as_of))}</bdi>' if direction else None
    intro = lang.t(
        "As of {at}: {tickets} tickets, {evaluated} evaluated, {failed} failed.",
        at="\0" if at else lang.instant(report.as_of),
        tickets=lang.number(report.tickets_in),
        evaluated=lang.number(report.tickets_in - report.failed),
        failed=lang.number(report.failed),
    )
    breaches = {field: _bars_svg(field, report.breaches_by[field], lang) for field in _FIELDS}
    return (
        f'<!DOCTYPE html>\n<html lang="{lang.code}"{direction}><head><meta charset="utf-8">'
        f"<title>{title}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{title}</h1><p>{_esc(intro).replace(chr(0), at or '')}</p>"
        f"<h2>{_esc(lang.t('Attainment'))}</h2>{_table_html(report, lang)}"
        f"<h2>{_esc(lang.t('Attainment per week'))}</h2>{_trend_svg(report, lang)}"
        f"<h2>{_esc(lang.t('Breaches by priority'))}</h2>{breaches['priority']}"
        f"<h2>{_esc(lang.t('Breaches by channel'))}</h2>{breaches['channel']}"
        f"<h2>{_esc(lang.t('First response times against the target'))}</h2>"
        f"{_histogram_svg(report.total.metrics['first_response'], lang)}"
        f'<script type="application/json" id="report-data">{data}</script>'
        "</body></html>\n"
    )
