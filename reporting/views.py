"""Reporting pages: start page, entry form, review queue, history, Excel round trip.

Thin: they read through selectors, write through services, and show the services'
messages (ReportError.message) to the user.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from attainment.selectors import default_dataset
from dashboards.selectors import city_headlines
from reporting import excel
from reporting.display import display_value, field_label
from reporting.errors import ReportConflictError, ReportError, ReportValidationError
from reporting.forms import EntryForm, ExcelUploadForm, ReasonForm
from reporting.models import Channel, Report, ReportLine
from reporting.periods import period_by_code
from reporting.selectors import (
    home_summary,
    prefetch_lines,
    report_events,
    report_for_entry,
    report_to_show,
    review_queue,
)
from reporting.services import (
    report_approve,
    report_approve_many,
    report_open,
    report_reopen,
    report_return,
    report_save,
    report_submit,
)
from units.access import (
    ENTER_FIGURES,
    READ_UNIT_REPORTS,
    REVIEW_UNIT,
    is_reviewer,
    readable_cities,
)
from units.models import Unit


def _unit_period(request, unit_id: int, period_code: str):
    unit = get_object_or_404(Unit.objects.select_related("city"), pk=unit_id)
    period = period_by_code(period_code)
    if period is None:
        raise Http404(_("No such reporting period."))
    if not request.user.has_perm(READ_UNIT_REPORTS, unit):
        raise PermissionDenied(_("You may not see this unit's reports."))
    return unit, period


def _may_enter(user, unit) -> bool:
    return user.has_perm(ENTER_FIGURES, unit)


def _write_target(request, unit, period, posted_version: str):
    """The report to write and the version the user saw ("0": there was no report yet)."""
    report = report_for_entry(user=request.user, unit=unit, period=period)
    try:
        seen = int(posted_version or 0)
    except ValueError:
        seen = -1
    if report is None:
        report = report_open(user=request.user, unit=unit, period=period, channel=Channel.WEB)
        return report, (report.version if seen == 0 else seen)
    return report, seen


@login_required
def home(request):
    """The user's units, reports due and overdue with deadlines, returned reports, queue size."""
    today = timezone.localdate()
    context = home_summary(user=request.user, today=today)
    context["today"] = today
    if context["is_reviewer"] or context["is_viewer"]:
        # DOIT and viewers read cities: their start page answers "are we on track, who is
        # behind" with the headline numbers and the way to the details.
        dataset = default_dataset()
        context["dataset"] = dataset
        context["headlines"] = city_headlines(
            cities=list(readable_cities(request.user)), dataset=dataset
        )
    return render(request, "reporting/home.html", context)


@login_required
def report_edit(request, unit_id: int, period_code: str):
    """The entry form: save a draft at any time, or submit."""
    unit, period = _unit_period(request, unit_id, period_code)
    report = report_for_entry(user=request.user, unit=unit, period=period)
    editable = _may_enter(request.user, unit) and not period.is_locked and (
        report is None or report.is_editable()
    )
    if not editable:
        if report is None:
            if not _may_enter(request.user, unit):
                raise PermissionDenied(_("You may enter figures only for your own units."))
            messages.error(request, _("The period %(period)s is locked.") % {"period": period})
            return redirect("home")
        return redirect("report_history", unit_id=unit.pk, period_code=period.code)

    if request.method != "POST":
        form = EntryForm(unit=unit, period=period, report=report)
        return _render_entry(request, form, report)

    form = EntryForm(unit=unit, period=period, report=report, data=request.POST,
                     files=request.FILES)
    expected = request.POST.get("version")
    try:
        report, expected = _write_target(request, unit, period, request.POST.get("version"))
        report = report_save(
            user=request.user, report=report, values=form.values(), expected_version=expected,
            channel=Channel.WEB, evidence_files=form.evidence_files(),
        )
    except ReportConflictError as exc:
        # Keep what the user typed; the hidden version moves on so a deliberate re-save works.
        current = Report.objects.get(pk=report.pk)
        form = EntryForm(unit=unit, period=period, report=current, data=request.POST)
        return _render_entry(request, form, current, error=exc.message, status=409)
    except ReportValidationError as exc:
        form = EntryForm(unit=unit, period=period, report=report, data=request.POST,
                         errors=exc.errors)
        # the version the user saw, or the new report's own when this post created it: a
        # corrected re-post must not look like someone else's change
        return _render_entry(request, form, report, error=exc.message, status=400,
                             version=expected)
    except ReportError as exc:
        return _render_entry(request, form, report, error=exc.message, status=403)

    if request.POST.get("action") == "submit":
        try:
            report = report_submit(user=request.user, report=report,
                                   expected_version=report.version, channel=Channel.WEB)
        except ReportValidationError as exc:
            form = EntryForm(unit=unit, period=period, report=report, data=request.POST,
                             errors=exc.errors)
            return _render_entry(
                request, form, report, status=400,
                error=_("Your figures were saved as a draft, but the report was not submitted: "
                        "%(reason)s") % {"reason": exc.message},
            )
        except ReportError as exc:
            messages.error(request, exc.message)
            return redirect("report_edit", unit_id=unit.pk, period_code=period.code)
        messages.success(request, _("The report was submitted to the reviewers."))
        return redirect("report_history", unit_id=unit.pk, period_code=period.code)
    messages.success(request, _("Draft saved."))
    return redirect("report_edit", unit_id=unit.pk, period_code=period.code)


def _render_entry(request, form, report, *, error=None, status=200, version=None):
    if version is None:
        version = report.version if report else 0
    return render(request, "reporting/report_form.html", {
        "form": form, "unit": form.unit, "period": form.period, "report": report,
        "version": version, "error": error, "upload_form": ExcelUploadForm(),
    }, status=status)


@login_required
def report_history(request, unit_id: int, period_code: str):
    """The report's figures, warnings, and every event with the values it changed."""
    unit, period = _unit_period(request, unit_id, period_code)
    report = report_to_show(
        user=request.user, unit=unit, period=period, dataset=request.GET.get("dataset"),
        queryset=prefetch_lines(Report.objects.select_related("unit", "period", "submitted_by")),
    )
    if report is None:
        raise Http404(_("No report for this unit and period."))
    events = list(report_events(report=report))
    names = {line.indicator.code: line.indicator.name for line in report.lines.all()}
    for event in events:
        event.change_rows = [
            {
                "indicator_name": names.get(change["indicator"], change["indicator"]),
                "field": field_label(change["field"]),
                "old": display_value(change["field"], change.get("old")),
                "new": display_value(change["field"], change.get("new")),
            }
            for change in event.changes
        ]
    may_review = request.user.has_perm(REVIEW_UNIT, unit)
    return render(request, "reporting/report_history.html", {
        "report": report, "unit": unit, "period": period, "events": events,
        "lines": report.lines.all(), "may_review": may_review,
        "may_edit": _may_enter(request.user, unit) and report.is_editable()
        and not period.is_locked,
        "reason_form": ReasonForm(),
    })


@login_required
def review(request):
    """DOIT's queue: the submitted reports of the reviewer's cities (refused to non-reviewers)."""
    if not is_reviewer(request.user):
        raise PermissionDenied(_("Only the reviewers of a city have a review queue."))
    queue = review_queue(user=request.user).annotate(
        line_count=Count("lines", distinct=True),
        warning_count=Count("lines", filter=~Q(lines__warning=""), distinct=True),
    )
    return render(request, "reporting/review_queue.html", {"queue": queue})


def _report_or_404(request, pk: int) -> Report:
    report = get_object_or_404(Report.objects.select_related("unit", "period"), pk=pk)
    if not request.user.has_perm(READ_UNIT_REPORTS, report.unit):
        raise PermissionDenied(_("You may not see this unit's reports."))
    return report


def _report_names(report: Report) -> dict:
    """The unit's and period's names for a message ("Sở Nội vụ", "Quý 3/2026"), not codes."""
    return {"unit": report.unit.name, "period": str(report.period)}


def _back(request, report: Report):
    if request.POST.get("next") == "queue":
        return redirect("review_queue")
    return redirect("report_history", unit_id=report.unit_id, period_code=report.period.code)


def _posted_version(request, name: str = "version") -> int | None:
    """The report version a review form carried; None when missing or not a number."""
    text = request.POST.get(name, "")
    return int(text) if text.isdigit() and len(text) < 10 else None


def _review_conflict(request, exc: ReportConflictError, reports: list[Report]) -> HttpResponse:
    """409: the report changed after the reviewer opened it; nothing was done."""
    return render(request, "reporting/review_conflict.html",
                  {"message": exc.message, "reports": reports}, status=409)


def _review_action(request, pk: int, act, success) -> HttpResponse:
    """Run one review service on a report with the version the form carried; its refusal or
    `success(report)` as a message, or the conflict page when the report changed meanwhile."""
    report = _report_or_404(request, pk)
    try:
        act(report, _posted_version(request))
    except ReportConflictError as exc:
        return _review_conflict(request, exc, [report])
    except ReportError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success(report))
    return _back(request, report)


@login_required
@require_POST
def approve(request, pk: int):
    return _review_action(
        request, pk,
        lambda report, seen: report_approve(user=request.user, report=report,
                                            expected_version=seen, channel=Channel.WEB),
        lambda report: _("The report of %(unit)s for %(period)s was approved.")
        % _report_names(report),
    )


@login_required
@require_POST
def return_report(request, pk: int):
    return _review_action(
        request, pk,
        lambda report, seen: report_return(user=request.user, report=report,
                                           reason=request.POST.get("reason", ""),
                                           expected_version=seen, channel=Channel.WEB),
        lambda report: _("The report of %(unit)s for %(period)s was returned to the unit.")
        % _report_names(report),
    )


@login_required
@require_POST
def reopen(request, pk: int):
    return _review_action(
        request, pk,
        lambda report, seen: report_reopen(user=request.user, report=report,
                                           reason=request.POST.get("reason", ""),
                                           expected_version=seen, channel=Channel.WEB),
        lambda report: _(
            "A correction (revision %(revision)s) was opened; the approved figures stay in "
            "force until it is approved."
        ) % {"revision": report.revision + 1},
    )


@login_required
@require_POST
def bulk_approve(request):
    ids = [int(i) for i in request.POST.getlist("report_ids") if i.isdigit()]
    if not ids:
        messages.error(request, _("Select at least one report to approve."))
        return redirect("review_queue")
    reports = list(Report.objects.filter(pk__in=ids).select_related("unit", "period"))
    seen = {
        report.pk: version for report in reports
        if (version := _posted_version(request, f"version_{report.pk}")) is not None
    }
    try:
        approved = report_approve_many(user=request.user, reports=reports,
                                       expected_versions=seen, channel=Channel.WEB)
    except ReportConflictError as exc:
        return _review_conflict(request, exc, reports)
    except ReportError as exc:
        messages.error(request, _("Nothing was approved. %(reason)s") % {"reason": exc.message})
        return redirect("review_queue")
    messages.success(request, _("%(n)s reports approved.") % {"n": len(approved)})
    return redirect("review_queue")


@login_required
def evidence(request, pk: int):
    """An evidence file, to the people who may see its report (media is not public)."""
    line = get_object_or_404(ReportLine.objects.select_related("report__unit"), pk=pk)
    if not request.user.has_perm(READ_UNIT_REPORTS, line.report.unit) or not line.evidence_file:
        raise Http404
    try:
        handle = line.evidence_file.open("rb")
    except FileNotFoundError as exc:
        # The row outlived its file (storage restored from an older backup, say).
        raise Http404(_("The evidence file is no longer in storage.")) from exc
    return FileResponse(handle, as_attachment=True,
                        filename=line.evidence_file.name.rsplit("/", 1)[-1])


# --- Excel -------------------------------------------------------------------------------


def _session_key(unit, period) -> str:
    return f"excel-upload-{unit.pk}-{period.code}"


@login_required
def report_excel_template(request, unit_id: int, period_code: str):
    """The pre-filled .xlsx template of this unit and period."""
    unit, period = _unit_period(request, unit_id, period_code)
    report = report_for_entry(user=request.user, unit=unit, period=period)
    form = EntryForm(unit=unit, period=period, report=report)
    content = excel.template_workbook(unit=unit, period=period, rows=form.rows)
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    filename = f"bao-cao-{unit.code}-{period.code}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def report_excel_upload(request, unit_id: int, period_code: str):
    """Upload a filled template: a preview with every problem; nothing is saved yet."""
    unit, period = _unit_period(request, unit_id, period_code)
    if not _may_enter(request.user, unit):
        raise PermissionDenied(_("You may enter figures only for your own units."))
    report = report_for_entry(user=request.user, unit=unit, period=period)
    if report is not None and not report.is_editable():
        messages.error(request, _("This report can no longer be changed."))
        return redirect("report_history", unit_id=unit.pk, period_code=period.code)
    upload_form = ExcelUploadForm(request.POST or None, request.FILES or None)
    context = {"unit": unit, "period": period, "report": report, "upload_form": upload_form}
    if request.method != "POST" or not upload_form.is_valid():
        status = 400 if request.method == "POST" else 200
        return render(request, "reporting/excel_upload.html", context, status=status)
    entry = EntryForm(unit=unit, period=period, report=report)
    current = {
        row["code"]: {f: getattr(row["line"], f) for f in ("numerator", "denominator")}
        for row in entry.rows if row["line"]
    }
    try:
        preview = excel.workbook_read(
            upload=upload_form.cleaned_data["file"], unit=unit, period=period,
            indicators=entry.indicators, current=current,
        )
    except excel.ExcelFileError as exc:
        context["file_error"] = exc.message
        return render(request, "reporting/excel_upload.html", context, status=400)
    request.session.pop(_session_key(unit, period), None)
    if not preview.problems:
        request.session[_session_key(unit, period)] = {
            "values": excel.preview_to_session(preview.values),
            "version": report.version if report else 0,
            "filename": upload_form.cleaned_data["file"].name,
        }
    context.update({"preview": preview, "filename": upload_form.cleaned_data["file"].name})
    return render(request, "reporting/excel_upload.html", context,
                  status=400 if preview.problems else 200)


@login_required
@require_POST
def report_excel_confirm(request, unit_id: int, period_code: str):
    """Save every row of the previewed upload through report_save (channel excel), or none."""
    unit, period = _unit_period(request, unit_id, period_code)
    stored = request.session.get(_session_key(unit, period))
    if not stored:
        messages.error(request, _("There is no checked upload to save; upload the file again."))
        return redirect("report_excel_upload", unit_id=unit.pk, period_code=period.code)
    try:
        report, expected = _write_target(request, unit, period, str(stored["version"]))
        report_save(
            user=request.user, report=report, expected_version=expected, channel=Channel.EXCEL,
            values=excel.preview_from_session(stored["values"]),
        )
    except ReportConflictError:
        request.session.pop(_session_key(unit, period), None)
        messages.error(request, _(
            "The report was changed by someone else after you uploaded the file; nothing was "
            "saved. Download the template again or upload the file again."
        ))
        return redirect("report_excel_upload", unit_id=unit.pk, period_code=period.code)
    except ReportError as exc:
        messages.error(request, exc.message)
        return redirect("report_excel_upload", unit_id=unit.pk, period_code=period.code)
    request.session.pop(_session_key(unit, period), None)
    messages.success(request, _("The figures from %(file)s were saved as a draft.")
                     % {"file": stored["filename"]})
    return redirect(reverse("report_edit", args=[unit.pk, period.code]))
