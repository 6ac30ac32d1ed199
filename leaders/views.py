"""The report's download from the city overview, and the e-mail's opt-out page."""

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from attainment.models import Dataset
from leaders.services import (
    ReportRequestError,
    city_report_render,
    opt_out_user_id,
    report_mail_opt_out,
    unknown_period_message,
)
from reporting.periods import period_by_code
from units.access import READ_CITY_REPORT
from units.models import Unit, UnitKind


def report_city(*, user, code: str) -> Unit:
    """The city with that code (404), when the user may read its report (403 otherwise)."""
    city = get_object_or_404(Unit, kind=UnitKind.PROVINCE, code=code)
    if not user.has_perm(READ_CITY_REPORT, city):
        raise PermissionDenied(_("Only the city's reviewers and viewers may download its report."))
    return city


def attachment(file) -> HttpResponse:
    response = HttpResponse(file.body, content_type=file.content_type)
    response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    return response


@login_required
@require_GET
def city_report_download(request, code: str):
    """The city's report for ?period= as ?format=docx|pdf; official figures unless ?dataset=demo."""
    city = report_city(user=request.user, code=code)
    period = period_by_code(request.GET.get("period", ""))
    if period is None:
        message = unknown_period_message(request.GET.get("period", ""))
        return render(request, "leaders/bad_request.html", {"message": message}, status=400)
    try:
        file = city_report_render(
            city=city, period=period, fmt=request.GET.get("format", "pdf"),
            dataset=request.GET.get("dataset") or Dataset.OFFICIAL,
            lang=request.GET.get("lang") or get_language(),
        )
    except ReportRequestError as exc:
        return render(request, "leaders/bad_request.html", {"message": exc.message}, status=400)
    return attachment(file)


@require_http_methods(["GET", "POST"])
def opt_out(request, token: str):
    """Confirm, then record, that the reader of the link wants no more report e-mails."""
    user_id = opt_out_user_id(token)
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    if user is None:
        raise Http404(_("This link is not valid."))
    done = False
    # A mail scanner that follows the link only GETs it; the opt-out needs the button.
    if request.method == "POST":
        report_mail_opt_out(user=user)
        done = True
    return render(request, "leaders/opt_out.html", {"done": done, "email": user.email})
