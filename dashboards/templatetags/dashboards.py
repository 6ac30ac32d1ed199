import json

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from dashboards.charts import status_label
from dashboards.tables import display_rows, format_cell

register = template.Library()


@register.filter
def cell(value, kind: str) -> str:
    """A value in the active language's number and date format."""
    return format_cell(value, kind)


# What follows each row in _chart.html's <tbody>: the markup stays as the template loop wrote it.
_ROW_END = "</tr>\n        "


@register.simple_tag
def chart_rows(table) -> str:
    """A chart table's body rows, formatted for the page.

    The HTML a template loop over the cells gave, built here because that loop resolved a
    dozen template nodes per cell: a comparison of 34 provinces has 5,600 cells, and rendering
    them was most of the page's time.
    """
    parts = []
    for row in display_rows(table):
        parts.append("<tr>")
        for c in row:
            parts.append('<td class="num ' if c.numeric else '<td class="')
            if c.css:
                parts.append(f"badge-cell {conditional_escape(c.css)}")
            text = conditional_escape(c.text)
            if c.href:
                parts.append(f'"><a href="{conditional_escape(c.href)}">{text}</a></td>')
            else:
                parts.append(f'">{text}</td>')
        parts.append(_ROW_END)
    return mark_safe("".join(parts))


def _script_safe(text: str) -> str:
    # JSON inside <script type="application/json">: escape the HTML-significant signs.
    return mark_safe(
        text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
    )


@register.simple_tag
def figure_json(chart) -> str:
    return _script_safe(chart.figure_json())


@register.simple_tag
def config_json(chart) -> str:
    return _script_safe(json.dumps(chart.config))


@register.inclusion_tag("dashboards/_status.html", takes_context=True)
def status_badge(context, status: str | None):
    """A status in colour AND in words, linked to its explanation on the method page."""
    status = status or "insufficient_data"
    return {
        "status": status, "label": status_label(status), "method_url": context.get("method_url")
    }
