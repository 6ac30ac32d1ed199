"""Plan pages: the plan template, import with a preview, export for a round trip."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from reporting.excel import ExcelFileError
from reporting.numbers import format_number
from targets.documents import DocumentError, document_text_from_upload
from targets.forms import AmendForm, DefinitionForm, PlanUploadForm
from targets.models import Aggregation, Indicator, Plan, Target
from targets.plan_workbook import plan_check, plan_workbook, plan_workbook_read
from targets.selectors import indicator_profile
from targets.services import (
    PlanImportError,
    PlanPermissionError,
    indicator_definition_change,
    plan_import,
    target_amend,
)
from units.access import EDIT_PLANS, edits_definitions, is_plan_editor, readable_city_ids

SESSION_KEY = "plan-import"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_plan_editor(user) -> None:
    if not is_plan_editor(user):
        raise PermissionDenied(_("Only a city's plan editors may import plans."))


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def plan_template(request):
    """The empty plan workbook to fill in."""
    _require_plan_editor(request.user)
    return _xlsx(plan_workbook(), "mau-ke-hoach.xlsx")


@login_required
@require_GET
def plan_export(request, code: str):
    """A plan in the import layout: edit it and import it again to change only what changed."""
    plan = get_object_or_404(Plan.objects.select_related("city"), code=code)
    if not request.user.has_perm(EDIT_PLANS, plan.city):
        raise PermissionDenied(_("Only the city's plan editors may export its plans for editing."))
    return _xlsx(plan_workbook(plan=plan), f"ke-hoach-{plan.code}.xlsx")


@login_required
def plan_import_upload(request):
    """Upload a filled plan workbook: a preview with every problem; nothing is saved yet."""
    _require_plan_editor(request.user)
    form = PlanUploadForm(request.POST or None, request.FILES or None)
    context = {"upload_form": form}
    if request.method != "POST" or not form.is_valid():
        return render(request, "targets/plan_import.html", context,
                      status=400 if request.method == "POST" else 200)
    request.session.pop(SESSION_KEY, None)
    try:
        raw_plan, raw_rows = plan_workbook_read(upload=form.cleaned_data["file"])
    except ExcelFileError as exc:
        context["file_error"] = exc.message
        return render(request, "targets/plan_import.html", context, status=400)
    document_text = None
    if form.cleaned_data.get("document"):
        try:
            document_text = document_text_from_upload(form.cleaned_data["document"])
        except DocumentError as exc:
            context["file_error"] = exc.message
            return render(request, "targets/plan_import.html", context, status=400)
    preview = plan_check(raw_plan=raw_plan, raw_rows=raw_rows, document_text=document_text)
    if preview.city is not None and not request.user.has_perm(EDIT_PLANS, preview.city):
        raise PermissionDenied(_("You may import plans only for a city where you are a plan "
                                 "editor."))
    if not preview.problems:
        request.session[SESSION_KEY] = {"plan": raw_plan, "rows": raw_rows,
                                        "filename": form.cleaned_data["file"].name,
                                        "document_text": document_text}
    context.update(preview=preview, filename=form.cleaned_data["file"].name)
    return render(request, "targets/plan_import.html", context,
                  status=400 if preview.problems else 200)


@login_required
@require_POST
def plan_import_confirm(request):
    """Save the previewed plan whole, in one transaction, or nothing."""
    _require_plan_editor(request.user)
    stored = request.session.get(SESSION_KEY)
    if not stored:
        messages.error(request, _("There is no checked upload to save; upload the file again."))
        return redirect("targets:plan_import")
    try:
        result = plan_import(user=request.user, raw_plan=stored["plan"],
                             raw_rows=[tuple(r) for r in stored["rows"]],
                             document_text=stored.get("document_text"))
    except PlanPermissionError as exc:
        raise PermissionDenied(exc.message) from exc
    except PlanImportError as exc:
        request.session.pop(SESSION_KEY, None)
        messages.error(request, exc.message)
        return redirect("targets:plan_import")
    request.session.pop(SESSION_KEY, None)
    messages.success(request, _(
        "Plan %(plan)s saved from %(file)s: %(created)d targets created, %(updated)d changed, "
        "%(unchanged)d unchanged. Attainment is being recomputed."
    ) % {"plan": result.plan.code, "file": stored["filename"], "created": len(result.created),
         "updated": len(result.updated), "unchanged": len(result.unchanged)})
    return redirect("dashboards:city", code=result.plan.city.code)


@login_required
def target_amend_page(request, pk: int):
    """Amend or retire a target from a date by a later document (plan editors of its city)."""
    target = get_object_or_404(Target.objects.select_related("plan__city", "indicator"), pk=pk)
    if not request.user.has_perm(EDIT_PLANS, target.plan.city):
        raise PermissionDenied(_("Only the city's plan editors may amend its targets."))
    # The form starts from what the target asks today, which an earlier amendment may have set.
    current = target.version_on(timezone.localdate())
    # Written the Vietnamese way, as the form reads it back ("1,234" is not "1.234").
    initial = {"comparator": current.comparator, "year": current.year,
               "value": format_number(current.value)}
    form = AmendForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            target_amend(user=request.user, target=target, **form.cleaned_data)
        except PlanImportError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The target was amended; both versions are kept."))
            return redirect("dashboards:target", pk=target.pk)
    context = {"target": target, "form": form, "current": current,
               "in_force_text": target.describe_version(current)}
    return render(request, "targets/target_amend.html", context,
                  status=400 if request.method == "POST" else 200)


@login_required
@require_GET
def indicator_page(request, code: str):
    """An indicator's metadata page (as Open SDG publishes them): what it measures, how unit
    figures combine, who reports, the targets that use it across cities and plans, and its
    changes over time."""
    readable = readable_city_ids(request.user)
    profile = indicator_profile(code=code, city_ids=readable)
    if profile is None:
        raise Http404
    return render(request, "targets/indicator.html", {
        "profile": profile, "indicator": profile.indicator,
        "combination_label": Aggregation(profile.indicator.aggregation).label,
        "readable": readable, "edits_definitions": edits_definitions(request.user),
    })


@login_required
def indicator_definition_page(request, code: str):
    """Record that a document redefines the indicator from a date (plan editors)."""
    indicator = get_object_or_404(Indicator, code=code)
    if not edits_definitions(request.user):
        raise PermissionDenied(_("Only plan editors may record a change of an indicator's "
                                 "definition."))
    form = DefinitionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            indicator_definition_change(user=request.user, indicator=indicator,
                                        **form.cleaned_data)
        except PlanImportError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The new definition was recorded; the earlier one "
                                        "stays for the periods before it."))
            return redirect("targets:indicator", code=indicator.code)
    return render(request, "targets/indicator_definition.html",
                  {"indicator": indicator, "form": form},
                  status=400 if request.method == "POST" else 200)
