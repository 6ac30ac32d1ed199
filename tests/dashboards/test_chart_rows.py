"""The numbers under a chart: rendered in Python (chart_rows), the same HTML the template loop
over display_rows gave, in both languages."""

from datetime import date
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from dashboards import tables
from dashboards.tables import ChartTable, Column, display_rows
from dashboards.templatetags.dashboards import chart_rows

# The loop _chart.html had before chart_rows, kept here as the reference.
TEMPLATE_LOOP = Template(
    '{% for row in rows %}<tr>{% for c in row %}<td class="{% if c.numeric %}num {% endif %}'
    '{% if c.css %}badge-cell {{ c.css }}{% endif %}">{% if c.href %}<a href="{{ c.href }}">'
    "{{ c.text }}</a>{% else %}{{ c.text }}{% endif %}</td>{% endfor %}</tr>\n        "
    "{% endfor %}"
)


def _table() -> ChartTable:
    table = ChartTable([
        Column("name", "Name"),
        Column("period", "Period"),
        Column("date", "Date", tables.DATE),
        Column("value", "Value", tables.NUMBER),
        Column("share", "Share", tables.PERCENT),
        Column("count", "Count", tables.INTEGER),
    ])
    table.add("Sở <Nội vụ> & \"Tư pháp\"", "Q1/2025", date(2025, 3, 31), 1234.5, 85.5, 12,
              css={3: "status-on_track"}, href={0: "/dashboards/unit/A?x=1&y=<2>"})
    table.add("Sở <Nội vụ> & \"Tư pháp\"", "Q2/2025", date(2025, 6, 30), 1234.5, None, 12.0)
    table.add("Đà Nẵng", "", date(2025, 3, 31), -0.0, 0.0, None, css={4: "t-late"})
    table.add("'quoted'", "Q1/2025", None, 1e20, 99.999, 3)
    return table


@pytest.mark.parametrize("language", ["vi", "en"])
def test_chart_rows_is_the_html_of_the_template_loop(language):
    with translation.override(language):
        table = _table()
        expected = TEMPLATE_LOOP.render(Context({"rows": display_rows(table)}))
        assert chart_rows(table) == expected
    assert "&lt;Nội vụ&gt; &amp; &quot;Tư pháp&quot;" in expected
    assert 'href="/dashboards/unit/A?x=1&amp;y=&lt;2&gt;"' in expected


def test_equal_values_of_a_text_column_keep_their_own_text():
    # Formatting is done once per distinct value; values equal to Python but written
    # differently must not share a text.
    table = ChartTable([Column("raw", "Raw")])
    for value in (Decimal("1.0"), Decimal("1.00"), 0.0, -0.0, 1, 1.0, True):
        table.add(value)
    assert [row[0].text for row in display_rows(table)] == [
        "1.0", "1.00", "0.0", "-0.0", "1", "1.0", "True"
    ]


def test_a_repeated_value_is_shown_alike_in_every_row():
    table = ChartTable([Column("d", "Date", tables.DATE), Column("v", "Value", tables.NUMBER)])
    for _ in range(3):
        table.add(date(2025, 12, 31), 2.5)
    with translation.override("vi"):
        texts = {(row[0].text, row[1].text) for row in display_rows(table)}
    assert texts == {("31/12/2025", "2,5")}
