"""CSV as an alternative format for every list: the page's results, one row per item.

Plain RFC 4180 CSV for machines (the people's dialect is the dashboards'); text cells pass
through dxtracker.spreadsheets, so a comment typed as a formula stays inert.
"""

from rest_framework import serializers
from rest_framework.renderers import BaseRenderer

from dxtracker.spreadsheets import csv_bytes


class PageCSVRenderer(BaseRenderer):
    """Flattens the current page's results: nested fields become `parent.child` columns and
    list items `parent.0.child`.

    Columns keep the serializer's field order, so a spreadsheet reads like the JSON. An error
    body is rendered as its one row. An empty page still has a header row (from the view's
    serializer), so the response is never empty and keeps its Content-Type.
    """

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"
    results_field = "results"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            data = []
        if isinstance(data, dict):
            data = data.get(self.results_field, [data])
        flat = [_flatten(item) for item in data]
        header: dict[str, None] = {}
        for row in flat:
            header.update(dict.fromkeys(row))
        if not header:
            header = dict.fromkeys(_serializer_header((renderer_context or {}).get("view")))
        columns = list(header) or ["results"]
        return csv_bytes(
            [columns, *([row.get(c) for c in columns] for row in flat)], for_people=False
        )


def _flatten(value, prefix: str = "") -> dict:
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return {prefix: value}
    out: dict = {}
    for key, child in items:
        out.update(_flatten(child, f"{prefix}.{key}" if prefix else str(key)))
    if not out and prefix:
        out[prefix] = None  # an empty list or object still names its column
    return out


def _serializer_header(view) -> list[str]:
    get_serializer = getattr(view, "get_serializer", None)
    if get_serializer is None:
        return []
    try:
        serializer = get_serializer()
    except Exception:
        return []  # a view whose serializer needs request data it does not have here
    return _field_names(serializer)


def _field_names(serializer, prefix: str = "") -> list[str]:
    names = []
    for name, field in serializer.fields.items():
        if getattr(field, "write_only", False):
            continue
        full = f"{prefix}.{name}" if prefix else name
        if isinstance(field, serializers.Serializer):
            names.extend(_field_names(field, full))
        else:
            names.append(full)
    return names
