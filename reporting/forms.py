"""Forms of the reporting pages: the entry rows, reasons, Excel upload."""

from django import forms
from django.utils.translation import gettext_lazy as _

from reporting.models import MilestoneState, Report
from reporting.numbers import format_number
from reporting.selectors import approved_history, indicators_due, targets_for
from targets.models import Measure

ENTRY_FIELDS = ("value", "numerator", "denominator", "milestone_state", "comment", "evidence_url")


def field_name(field: str, code: str) -> str:
    """The stable input name of one field of one indicator (browser tests rely on it)."""
    return f"{field}_{code}"


def _shown(value) -> str:
    if value is None:
        return ""
    return format_number(value) if not isinstance(value, str) else value


class EntryForm:
    """One row per due indicator: what is stored, what the user typed, errors and warnings.

    Not a django.forms.Form: the fields depend on the indicators due, and every value is
    checked by report_save so that the form, Excel and the API share one set of rules.
    """

    def __init__(self, *, unit, period, report: Report | None, data=None, files=None,
                 errors: dict | None = None):
        self.unit, self.period, self.report = unit, period, report
        self.data, self.files = data, files
        self.errors = errors or {}
        self.indicators = indicators_due(unit=unit, period=period)
        lines = {line.indicator_id: line for line in report.lines.all()} if report else {}
        targets = targets_for(unit=unit, period=period)
        history = approved_history(
            unit=unit, period=period, indicator_ids=[i.pk for i in self.indicators],
            is_demo=bool(report and report.is_demo),
        )
        self.rows = []
        for indicator in self.indicators:
            line = lines.get(indicator.pk)
            past = history.get(indicator.pk, [])
            row_targets = targets.get(indicator.pk, [])
            self.rows.append({
                "indicator": indicator,
                "code": indicator.code,
                "line": line,
                "unit_of_measure": indicator.unit_of_measure(),
                "targets": row_targets,
                "targets_text": ", ".join(f"{t.year}: {t.describe()}" for t in row_targets),
                "previous": past[-1] if past else None,
                "is_fraction": indicator.fraction,
                "is_milestone": indicator.measure == Measure.MILESTONE,
                "warning": line.warning if line else "",
                "errors": self.errors.get(indicator.code, {}),
                "inputs": self._inputs(indicator.code, line),
            })

    def _inputs(self, code: str, line) -> dict:
        inputs = {}
        for field in ENTRY_FIELDS:
            name = field_name(field, code)
            if self.data is not None:
                shown = self.data.get(name, "")
            else:
                shown = _shown(getattr(line, field, None)) if line else ""
            inputs[field] = {"name": name, "id": f"id_{name}", "value": shown}
        name = field_name("evidence_file", code)
        inputs["evidence_file"] = {"name": name, "id": f"id_{name}"}
        return inputs

    def values(self) -> dict[str, dict]:
        """What the user typed, as report_save takes it (fields not on the row are left out)."""
        values: dict[str, dict] = {}
        for row in self.rows:
            fields = ["milestone_state"] if row["is_milestone"] else (
                ["numerator", "denominator"] if row["is_fraction"] else ["value"]
            )
            fields += ["comment", "evidence_url"]
            values[row["code"]] = {
                f: self.data.get(field_name(f, row["code"]), "") for f in fields
                if field_name(f, row["code"]) in self.data
            }
        return values

    def evidence_files(self) -> dict:
        if not self.files:
            return {}
        return {
            row["code"]: self.files[field_name("evidence_file", row["code"])]
            for row in self.rows
            if field_name("evidence_file", row["code"]) in self.files
        }

    milestone_choices = MilestoneState.choices


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("A reason is required.")},
    )


class ExcelUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        error_messages={"required": _("Choose the filled-in .xlsx file.")},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
