"""Writing the leaders' report to a file, and e-mailing it once a quarter."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from attainment.models import Dataset
from dxtracker.links import absolute_reverse
from leaders import document, writers
from leaders.models import ReportMailDelivery, ReportMailing, ReportMailOptOut
from leaders.selectors import city_report, period_due_for_mailing, report_cities
from reporting.models import Period, Timeliness
from units.access import city_readers
from units.models import Unit

logger = logging.getLogger(__name__)

FORMATS = tuple(writers.CONTENT_TYPES)
OPT_OUT_SALT = "leaders.report-mail-opt-out"


class ReportRequestError(ValueError):
    """A report asked for in a format, language or dataset that does not exist; .message."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def unknown_period_message(code: str) -> str:
    return _("There is no reporting period “%(code)s”: choose a quarter such as 2026-Q3.") % {
        "code": code}


@dataclass
class ReportFile:
    filename: str
    content_type: str
    body: bytes


def _check(*, fmt: str, lang: str, dataset: str) -> None:
    if fmt not in FORMATS:
        raise ReportRequestError(_("Unknown file format “%(fmt)s”: choose docx or pdf.")
                                 % {"fmt": fmt})
    if lang not in dict(settings.LANGUAGES):
        raise ReportRequestError(_("Unknown language “%(lang)s”: choose vi or en.")
                                 % {"lang": lang})
    if dataset not in Dataset.values:
        raise ReportRequestError(_("Unknown dataset “%(dataset)s”: choose official or demo.")
                                 % {"dataset": dataset})


def city_report_render(
    *,
    city: Unit,
    period: Period,
    fmt: str,
    dataset: str = Dataset.OFFICIAL,
    lang: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> ReportFile:
    """The city's report for the period as a .docx or .pdf file, in Vietnamese unless asked.

    ``progress`` is called with the name of each step done (the command's progress bar).
    """
    lang = lang or settings.LANGUAGE_CODE
    _check(fmt=fmt, lang=lang, dataset=dataset)
    step = progress or (lambda name: None)
    with translation.override(lang):
        content = city_report(city=city, period=period, dataset=dataset)
        step("content")
        doc = document.build(content)
        step("charts")
        body = writers.to_docx(doc) if fmt == "docx" else writers.to_pdf(doc)
        step(fmt)
    return ReportFile(f"{doc.filename_stem}.{fmt}", writers.CONTENT_TYPES[fmt], body)


# ---------------------------------------------------------------- quarterly e-mail


def opt_out_token(user) -> str:
    return signing.dumps(user.pk, salt=OPT_OUT_SALT)


def opt_out_user_id(token: str) -> int | None:
    """The user a link's token names, or None when it was not signed here."""
    try:
        return int(signing.loads(token, salt=OPT_OUT_SALT))
    except (signing.BadSignature, TypeError, ValueError):
        return None


def report_mail_opt_out(*, user) -> ReportMailOptOut:
    """Stop sending the quarterly report to the user (asking twice changes nothing)."""
    opt_out, _created = ReportMailOptOut.objects.get_or_create(user=user)
    return opt_out


def city_reports_mail(*, today: date) -> int:
    """E-mail the report of the newest quarter whose deadline has passed to each city's
    reviewers and viewers who have not had it yet (ReportMailDelivery), official figures only.

    Runs daily: a reader added later in the quarter gets the quarter's report at the next run;
    nobody gets the same city's report for the same period twice. Returns the number of e-mails
    sent; a second run sends none.
    """
    period = period_due_for_mailing(today=today)
    if period is None:
        return 0
    delivered = set(
        ReportMailDelivery.objects.filter(mailing__period=period, user__isnull=False)
        .values_list("mailing__city_id", "user_id")
    )
    sent = 0
    for city in report_cities():
        sent += _mail_city(city=city, period=period, delivered=delivered)
    return sent


def _mail_city(*, city: Unit, period: Period, delivered: set[tuple[int, int]]) -> int:
    readers = [
        u for u in city_readers(city).filter(report_mail_opt_out__isnull=True)
        if u.email and (city.pk, u.pk) not in delivered
    ]
    if not readers:
        return 0
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        # Built once per city and run, and only when someone is still owed it.
        content = city_report(city=city, period=period, dataset=Dataset.OFFICIAL)
        doc = document.build(content)
        files = [(f"{doc.filename_stem}.{fmt}", render(doc), writers.CONTENT_TYPES[fmt])
                 for fmt, render in (("pdf", writers.to_pdf), ("docx", writers.to_docx))]
        for user in readers:
            try:
                with transaction.atomic():
                    # The log row is written first: a concurrent run hits the unique
                    # constraint; a failed send rolls it back so the next run tries again.
                    mailing, _created = ReportMailing.objects.get_or_create(
                        city=city, period=period
                    )
                    # Locked so that two runs add their addresses one after the other.
                    mailing = ReportMailing.objects.select_for_update(of=("self",)).get(
                        pk=mailing.pk
                    )
                    ReportMailDelivery.objects.create(mailing=mailing, user=user,
                                                      email=user.email)
                    mailing.recipients = sorted({*mailing.recipients, user.email})
                    mailing.save(update_fields=["recipients"])
                    _send(user=user, content=content, files=files)
            except IntegrityError:
                continue
            sent += 1
    return sent


def _send(*, user, content, files) -> None:
    plans = [
        (h.plan.title, h.n_targets, [(document.status_label(s), h.counts[s])
                                      for s in document.status_order() if h.counts.get(s)])
        for h in content.headlines if h.pillar is None
    ]
    compliance = [(str(Timeliness(t).label), n) for t, n in content.compliance_counts.items()]
    context = {
        "report": content,
        "plans": plans,
        "compliance": compliance,
        "n_behind": len(content.behind),
        "n_units_behind": len(content.units_behind),
        "city_url": absolute_reverse("dashboards:city", content.city.code),
        "method_url": absolute_reverse("attainment:method"),
        "opt_out_url": absolute_reverse("leaders:opt_out", opt_out_token(user)),
        "user": user,
    }
    subject = _("[DX Tracker] Progress report %(period)s: %(city)s") % {
        "period": content.period, "city": content.city.name}
    message = EmailMultiAlternatives(
        subject, render_to_string("leaders/report_mail.txt", context), None, [user.email]
    )
    message.attach_alternative(render_to_string("leaders/report_mail.html", context),
                               "text/html")
    for filename, body, content_type in files:
        message.attach(filename, body, content_type)
    message.send()
