"""daily_bars: a server-made SVG bar a day, accessible, with a table of the same numbers."""

import datetime
import re
from html.parser import HTMLParser

from annotations.insight.charts import daily_bars

MON = datetime.date(2025, 3, 3)


def day(n):
    return MON + datetime.timedelta(days=n)


class Cells(HTMLParser):
    """The table's rows as [[cell text, ...], ...], and every tag seen."""

    def __init__(self):
        super().__init__()
        self.rows, self.tags, self._cell = [], [], None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(self._cell.strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def parsed(html):
    cells = Cells()
    cells.feed(str(html))
    return cells


def test_missing_days_are_zero_and_the_table_has_the_bars_numbers():
    chart = daily_bars([(day(2), 1), (day(0), 3)], label="Posts per day")
    assert chart.days == [(day(0), 3), (day(1), 0), (day(2), 1)]
    assert chart.total == 4
    body = parsed(chart.table).rows[1:]  # after the header
    assert body == [["Mon 3 Mar", "3"], ["Tue 4 Mar", "0"], ["Wed 5 Mar", "1"]]
    # One bar a day, the tallest for the busiest day, a day of 0 flat on the axis.
    heights = [float(h) for h in re.findall(r'class="chart-bar"[^>]* height="([\d.]+)"', chart.svg)]
    assert len(heights) == 3
    assert heights[0] > heights[2] > heights[1] == 0
    assert heights[2] == heights[0] / 3
    assert "Mon 3 Mar: 3 posts" in chart.svg and "Tue 4 Mar: 0 posts" in chart.svg


def test_the_svg_is_an_image_named_by_its_title_and_summary():
    chart = daily_bars([(day(0), 2), (day(1), 5)], label="Posts on “Kant”", chart_id="c1")
    tags = parsed(chart.svg).tags
    svg = tags[0][1]
    assert tags[0][0] == "svg" and svg["role"] == "img"
    assert svg["aria-labelledby"] == "c1-title c1-desc"
    ids = {attrs.get("id"): tag for tag, attrs in tags}
    assert ids["c1-title"] == "title" and ids["c1-desc"] == "desc"
    assert '<title id="c1-title">Posts on “Kant”</title>' in chart.svg
    assert chart.summary == "7 posts from Mon 3 Mar to Tue 4 Mar; most on Tue 4 Mar (5)."
    assert "<script" not in chart.svg and "style=" not in chart.svg
    # The figure holds the chart and, closed, its table.
    assert "<details" in chart.html and "Show as table" in chart.html
    assert chart.table in chart.html and chart.svg in chart.html


def test_the_due_date_is_marked_and_the_range_reaches_it():
    chart = daily_bars([(day(0), 1)], label="Before class", due=day(3), unit="question")
    assert [d for d, _ in chart.days] == [day(0), day(1), day(2), day(3)]
    assert chart.svg.count('class="chart-due"') == 1
    assert parsed(chart.table).rows[-1] == ["Thu 6 Mar (due)", "0"]
    assert "due Thu 6 Mar" in chart.summary
    assert chart.summary.startswith("1 question from")
    assert parsed(chart.table).rows[0] == ["Day", "Questions"]


def test_labels_are_escaped_and_ids_default_from_the_label():
    chart = daily_bars([(day(0), 1)], label='<script>alert("x")</script>')
    assert "<script>" not in chart.svg and "&lt;script&gt;" in chart.svg
    assert "<script>" not in chart.table
    other = daily_bars([(day(0), 1)], label="Another")
    assert chart.chart_id != other.chart_id
    assert chart.chart_id == daily_bars([], label='<script>alert("x")</script>').chart_id


def test_no_days_is_a_chart_that_says_so():
    chart = daily_bars([], label="Nothing yet")
    assert chart.days == [] and chart.total == 0
    assert "No posts." in chart.svg
    assert parsed(chart.table).rows == [["Day", "Posts"]]
