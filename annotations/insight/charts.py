"""Charts drawn on the server as inline SVG, each with the table of its numbers.

A chart here is a picture of a few numbers that a page also gives as a table: the SVG is
`role="img"`, named by its <title> and summed up by its <desc> (through aria-labelledby),
and `Chart.table` holds every number the bars show, for a `<details>` "Show as table" under
it; `Chart.html` is the two together, ready for a template (`{{ chart.html }}`). No script,
no inline style: the bars take their colours from static/css/insight.css, so the page's
Content-Security-Policy holds and a printed page shows the same picture.

    daily_bars(days, *, label, due=None, unit="post", chart_id=None) -> Chart

`days` is [(date, count)] in any order; days missing between the first and the last (and
up to `due`, when it is later or earlier) count 0, so a gap in the bars is a day nobody
posted. `label` names the chart ("Posts per day on 'Reading 1'"); `due`, a date, draws a
marker on its day; `unit` is the counted thing, singular ("post" → "3 posts", "1 post");
`chart_id` makes the ids unique when two charts on a page have the same label.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

# The drawing's own units (the SVG scales to its box, see insight.css).
WIDTH = 320
HEIGHT = 96
TOP = 14  # room for the highest count's label
BOTTOM = 16  # room for the first and last day's labels
LEFT = 2
RIGHT = 2
GAP = 0.18  # of a bar's slot, left blank between bars
# A bar is never wider than a week's would be: a day or two of posts is not one wide block.
MIN_SLOTS = 7


@dataclass(frozen=True)
class Chart:
    chart_id: str
    label: str
    summary: str
    days: list[tuple[datetime.date, int]]
    due: datetime.date | None
    svg: SafeString
    table: SafeString

    @property
    def total(self) -> int:
        return sum(n for _, n in self.days)

    @property
    def html(self) -> SafeString:
        """The chart in a <figure>, its table in a closed <details> under it."""
        return format_html(
            '<figure class="chart-figure">{}<details class="chart-details">'
            "<summary>Show as table</summary>{}</details></figure>",
            self.svg,
            self.table,
        )


def _counted(n: int, unit: str) -> str:
    return f"{n} {unit}{'' if n == 1 else 's'}"


def _day(day: datetime.date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def _filled(days, due):
    counts: dict[datetime.date, int] = {}
    for day, n in days:
        counts[day] = counts.get(day, 0) + int(n)
    ends = list(counts) + ([due] if due is not None else [])
    if not ends:
        return []
    first, last = min(ends), max(ends)
    span = (last - first).days + 1
    return [
        (day, counts.get(day, 0))
        for day in (first + datetime.timedelta(days=i) for i in range(span))
    ]


def _summary(filled, unit, due):
    total = sum(n for _, n in filled)
    if not filled:
        return f"No {unit}s."
    first, last = filled[0][0], filled[-1][0]
    text = f"{_counted(total, unit)} from {_day(first)} to {_day(last)}"
    if total:
        busiest, most = max(filled, key=lambda item: (item[1], -item[0].toordinal()))
        text += f"; most on {_day(busiest)} ({most})"
    if due is not None:
        text += f"; due {_day(due)}"
    return text + "."


def _bars(filled, unit, due):
    slot = (WIDTH - LEFT - RIGHT) / max(len(filled), MIN_SLOTS)
    most = max((n for _, n in filled), default=0) or 1
    tall = HEIGHT - TOP - BOTTOM
    base = HEIGHT - BOTTOM
    parts = []
    for i, (day, n) in enumerate(filled):
        x = LEFT + i * slot
        h = tall * n / most
        # Every day has a hover target as tall as the plot, so a day of 0 can be pointed at.
        parts.append(
            format_html(
                '<g class="chart-day"><title>{}: {}</title>'
                '<rect class="chart-slot" x="{}" y="{}" width="{}" height="{}"/>'
                '<rect class="chart-bar" x="{}" y="{}" width="{}" height="{}"/></g>',
                _day(day),
                _counted(n, unit),
                f"{x:.2f}",
                TOP,
                f"{slot:.2f}",
                tall,
                f"{x + slot * GAP / 2:.2f}",
                f"{base - h:.2f}",
                f"{slot * (1 - GAP):.2f}",
                f"{h:.2f}",
            )
        )
    if due is not None:
        x = LEFT + (due - filled[0][0]).days * slot + slot / 2
        anchor = "end" if x > WIDTH * 0.8 else "start"
        parts.append(
            format_html(
                '<line class="chart-due" x1="{x}" x2="{x}" y1="{top}" y2="{base}"/>'
                '<text class="chart-due-label" x="{tx}" y="{ty}" text-anchor="{anchor}">due</text>',
                x=f"{x:.2f}",
                top=TOP - 4,
                base=base,
                tx=f"{x + (-3 if anchor == 'end' else 3):.2f}",
                ty=TOP - 5,
                anchor=anchor,
            )
        )
    parts.append(
        format_html(
            '<line class="chart-axis" x1="{}" x2="{}" y1="{}" y2="{}"/>'
            '<text class="chart-label" x="{}" y="{}">{}</text>'
            '<text class="chart-label chart-max" x="{}" y="{}">{}</text>',
            LEFT,
            WIDTH - RIGHT,
            base,
            base,
            LEFT,
            HEIGHT - 3,
            _day(filled[0][0]),
            LEFT,
            TOP - 5,
            f"max {max(n for _, n in filled)}",
        )
    )
    if len(filled) > 1:
        # The last day under its bar: at the right edge when the days fill the width.
        wide = len(filled) >= MIN_SLOTS
        parts.append(
            format_html(
                '<text class="chart-label" x="{}" y="{}" text-anchor="{}">{}</text>',
                f"{WIDTH - RIGHT if wide else LEFT + (len(filled) - 0.5) * slot:.2f}",
                HEIGHT - 3,
                "end" if wide else "middle",
                _day(filled[-1][0]),
            )
        )
    return mark_safe("".join(parts))  # noqa: S308 - every part went through format_html


def _table(chart_id, label, filled, unit, due):
    rows = format_html_join(
        "",
        '<tr{}><th scope="row">{}</th><td class="text-end">{}</td></tr>',
        (
            (
                mark_safe(' class="chart-due-row"') if day == due else "",  # noqa: S308
                format_html(
                    '<time datetime="{}">{}</time>{}',
                    day.isoformat(),
                    _day(day),
                    " (due)" if day == due else "",
                ),
                n,
            )
            for day, n in filled
        ),
    )
    return format_html(
        '<table class="table table-sm chart-table" id="{}-table"><caption>{}</caption>'
        '<thead><tr><th scope="col">Day</th><th scope="col" class="text-end">{}</th></tr>'
        "</thead><tbody>{}</tbody></table>",
        chart_id,
        label,
        f"{unit[0].upper()}{unit[1:]}s",
        rows,
    )


def daily_bars(
    days: list[tuple[datetime.date, int]],
    *,
    label: str,
    due: datetime.date | None = None,
    unit: str = "post",
    chart_id: str | None = None,
) -> Chart:
    """A bar a day, as tall as the day's count (the module's docstring says the rest)."""
    if chart_id is None:
        chart_id = "chart-" + hashlib.sha256(label.encode()).hexdigest()[:10]
    filled = _filled(days, due)
    summary = _summary(filled, unit, due)
    if filled:
        body = _bars(filled, unit, due)
    else:
        body = format_html(
            '<text class="chart-label" x="{}" y="{}" text-anchor="middle">{}</text>',
            WIDTH / 2,
            HEIGHT / 2,
            summary,
        )
    svg = format_html(
        '<svg class="chart chart-daily" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        'role="img" aria-labelledby="{id}-title {id}-desc" focusable="false" '
        'xmlns="http://www.w3.org/2000/svg">'
        '<title id="{id}-title">{label}</title><desc id="{id}-desc">{summary}</desc>'
        "{body}</svg>",
        w=WIDTH,
        h=HEIGHT,
        id=chart_id,
        label=label,
        summary=summary,
        body=body,
    )
    return Chart(
        chart_id=chart_id,
        label=label,
        summary=summary,
        days=filled,
        due=due,
        svg=svg,
        table=_table(chart_id, label, filled, unit, due),
    )
