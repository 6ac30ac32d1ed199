"""Forms of the plan pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from reporting.numbers import NumberFormatError, parse_number
from targets.models import Comparator


class AmendForm(forms.Form):
    document_number = forms.CharField(label=_("Amending document (number)"), max_length=64)
    document_title = forms.CharField(label=_("Document title"), max_length=500,
                                     required=False)
    effective_from = forms.DateField(label=_("In force from"),
                                     widget=forms.DateInput(attrs={"type": "date"}))
    retires = forms.BooleanField(label=_("The document retires the target"), required=False)
    comparator = forms.ChoiceField(label=_("Comparator"), choices=Comparator.choices)
    value = forms.CharField(label=_("Target value"), required=False)
    year = forms.IntegerField(label=_("Target year"), min_value=1901, max_value=2199)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(
        attrs={"rows": 2}))

    def clean_value(self):
        text = self.cleaned_data["value"].strip()
        if not text:
            return None
        try:
            return parse_number(text)
        except NumberFormatError as exc:
            raise forms.ValidationError(str(exc)) from exc


class PlanUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        error_messages={"required": _("Choose the filled-in .xlsx file.")},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
    document = forms.FileField(
        label=_("Plan document (.docx, .pdf or .txt)"), required=False,
        help_text=_("Every source sentence is checked against its text. Without it, the "
                    "plan's stored text is used, if it has one."),
        widget=forms.ClearableFileInput(attrs={"accept": ".docx,.pdf,.txt"}),
    )


class DefinitionForm(forms.Form):
    text_vi = forms.CharField(label=_("New definition (Vietnamese)"),
                              widget=forms.Textarea(attrs={"rows": 3}))
    text_en = forms.CharField(label=_("New definition (English)"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    effective_from = forms.DateField(label=_("In force from"),
                                     widget=forms.DateInput(attrs={"type": "date"}))
    document_number = forms.CharField(label=_("Document (number)"), max_length=64)
    document_title = forms.CharField(label=_("Document title"), max_length=500,
                                     required=False)
