"""CSV as an alternative format for every list: the page's results, one row per item."""

from rest_framework_csv.renderers import CSVRenderer


class PageCSVRenderer(CSVRenderer):
    """Flattens the current page's results (nested fields become `parent.child` columns).

    Columns keep the serializer's field order rather than the library's alphabetical one, so a
    spreadsheet reads like the JSON. An error body is rendered as its one row.
    """

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"
    results_field = "results"

    def render(self, data, media_type=None, renderer_context=None):
        renderer_context = dict(renderer_context or {})
        if isinstance(data, dict):
            data = data.get(self.results_field, [data])
        if data and "header" not in renderer_context:
            renderer_context["header"] = self._ordered_header(data)
        return super().render(data, media_type, renderer_context)

    def _ordered_header(self, rows) -> list[str]:
        header: dict[str, None] = {}
        for flat in self.flatten_data(rows):
            header.update(dict.fromkeys(flat))
        return list(header)
