import json

from django import template
from django.utils.safestring import mark_safe

from dashboards.charts import status_label
from dashboards.tables import display_rows, format_cell

register = template.Library()


@register.filter
def cell(value, kind: str) -> str:
    """A value in the active language's number and date format."""
    return format_cell(value, kind)


@register.filter
def rows(table):
    """A chart table's rows, formatted for the page."""
    return display_rows(table)


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
