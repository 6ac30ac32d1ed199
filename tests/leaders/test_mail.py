"""The quarterly e-mail: once per city and period to each reviewer and viewer, the report
attached, full links, opt-out respected; and the deadline reminders' absolute link."""

from datetime import date

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from leaders.models import ReportMailDelivery, ReportMailing, ReportMailOptOut
from leaders.services import city_reports_mail, opt_out_token
from leaders.tasks import email_city_reports
from reporting.reminders import _send_one
from tests.factories import MembershipFactory, PeriodFactory, UnitFactory, UserFactory
from units.models import Role

pytestmark = pytest.mark.django_db

SITE = "https://dx.example.gov.vn"
AFTER_Q4_DEADLINE = date(2026, 1, 20)  # 2025-Q4's deadline is 15/01/2026


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def readers(city_data, doit_reviewer, viewer, department_reporter, outsider):
    """The reviewer and the viewer read the city; the reporter and the outsider do not."""
    return {doit_reviewer.email, viewer.email}


def test_each_reader_gets_one_mail_with_the_report_attached(readers):
    assert city_reports_mail(today=AFTER_Q4_DEADLINE) == 2
    assert {m.to[0] for m in mail.outbox} == readers and len(mail.outbox) == 2
    message = mail.outbox[0]
    assert "Quý 4/2025" in message.subject and "Thành phố Thử nghiệm" in message.subject
    names = sorted(name for name, _body, _type in message.attachments)
    assert names == ["bao-cao-tc-2025-q4.docx", "bao-cao-tc-2025-q4.pdf"]
    assert all(body[:4] in (b"%PDF", b"PK\x03\x04") for _n, body, _t in message.attachments)
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{SITE}{reverse("dashboards:city", args=["TC"])}"' in html
    assert f'href="{SITE}/attainment/method/"' in html
    assert f"{SITE}/leaders/opt-out/" in html and f"{SITE}/leaders/opt-out/" in message.body
    mailing = ReportMailing.objects.get()
    assert mailing.period.code == "2025-Q4" and sorted(mailing.recipients) == sorted(readers)


def test_a_second_run_sends_nothing(readers):
    city_reports_mail(today=AFTER_Q4_DEADLINE)
    assert city_reports_mail(today=AFTER_Q4_DEADLINE) == 0
    assert city_reports_mail(today=date(2026, 2, 1)) == 0
    assert len(mail.outbox) == 2 and ReportMailing.objects.count() == 1


def test_a_reader_added_later_in_the_quarter_gets_it_once_and_nobody_else_again(readers, city):
    city_reports_mail(today=AFTER_Q4_DEADLINE)
    late = UserFactory(username="new_viewer", email="new_viewer@example.gov.vn")
    MembershipFactory(user=late, unit=city, role=Role.VIEWER)

    assert city_reports_mail(today=date(2026, 2, 1)) == 1
    assert city_reports_mail(today=date(2026, 2, 2)) == 0

    assert [m.to for m in mail.outbox[2:]] == [["new_viewer@example.gov.vn"]]
    assert "Quý 4/2025" in mail.outbox[2].subject
    mailing = ReportMailing.objects.get()
    assert mailing.recipients == sorted([*readers, late.email])
    assert sorted(d.email for d in mailing.deliveries.all()) == mailing.recipients


def test_a_send_that_fails_for_one_reader_is_retried_for_that_reader_only(readers, monkeypatch):
    real_send = EmailMultiAlternatives.send

    def fail_for_the_reviewer(message, *args, **kwargs):  # mailed after the viewer
        if message.to == ["doit_reviewer@example.gov.vn"]:
            raise ConnectionError("smtp refused this address")
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMultiAlternatives, "send", fail_for_the_reviewer)
    with pytest.raises(ConnectionError):
        city_reports_mail(today=AFTER_Q4_DEADLINE)
    assert list(ReportMailDelivery.objects.values_list("email", flat=True)) == [
        "city_viewer@example.gov.vn"]

    monkeypatch.setattr(EmailMultiAlternatives, "send", real_send)
    assert city_reports_mail(today=AFTER_Q4_DEADLINE) == 1
    assert [m.to for m in mail.outbox] == [["city_viewer@example.gov.vn"],
                                           ["doit_reviewer@example.gov.vn"]]


def test_the_beat_task_sends_once(readers):
    # The machine's date is after 2025-Q4's deadline, the newest quarter of the test data.
    assert email_city_reports.delay().get() == 2
    assert email_city_reports.delay().get() == 0
    assert len(mail.outbox) == 2


def test_nothing_before_the_deadline(readers):
    # On 10/01/2026 Q4's deadline has not passed: the newest quarter past it is Q3.
    assert city_reports_mail(today=date(2026, 1, 10)) == 2
    assert all("Quý 3/2025" in m.subject for m in mail.outbox)


def test_opted_out_reader_gets_nothing(readers, viewer):
    ReportMailOptOut.objects.create(user=viewer)
    assert city_reports_mail(today=AFTER_Q4_DEADLINE) == 1
    assert [m.to for m in mail.outbox] == [["doit_reviewer@example.gov.vn"]]


def test_opt_out_link_asks_then_records(client, viewer):
    url = reverse("leaders:opt_out", args=[opt_out_token(viewer)])
    response = client.get(url)
    assert response.status_code == 200 and "city_viewer@example.gov.vn" in response.content.decode()
    assert not ReportMailOptOut.objects.exists()  # a mail scanner's GET changes nothing
    response = client.post(url)
    assert 'data-testid="opt-out-done"' in response.content.decode()
    assert ReportMailOptOut.objects.get().user == viewer
    client.post(url)
    assert ReportMailOptOut.objects.count() == 1


def test_forged_opt_out_link_is_refused(client, viewer):
    assert client.post(reverse("leaders:opt_out", args=[f"{viewer.pk}:forged"])).status_code == 404
    assert not ReportMailOptOut.objects.exists()


def test_failed_send_is_not_recorded(readers, monkeypatch):
    def boom(*args, **kwargs):
        raise ConnectionError("smtp down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", boom)
    with pytest.raises(ConnectionError):
        city_reports_mail(today=AFTER_Q4_DEADLINE)
    assert not ReportMailing.objects.exists() and not ReportMailDelivery.objects.exists()


def test_inactive_users_and_users_without_email_get_nothing(city_data, city):
    for name, kwargs in (("gone", {"is_active": False}), ("noaddress", {"email": ""})):
        MembershipFactory(user=UserFactory(username=name, **kwargs), unit=city, role=Role.VIEWER)
    assert city_reports_mail(today=AFTER_Q4_DEADLINE) == 0
    assert not mail.outbox


def test_reminder_mail_carries_an_absolute_link():
    unit = UnitFactory(code="TC-X")
    period = PeriodFactory(year=2026, quarter=3)
    _send_one(unit=unit, period=period, today=date(2026, 10, 10), recipients=["a@b.vn"])
    assert f"{SITE}/reports/{unit.pk}/2026-Q3/" in mail.outbox[0].body


def test_the_sent_log_is_read_only_in_the_admin(admin_client, readers):
    city_reports_mail(today=AFTER_Q4_DEADLINE)
    delivery = ReportMailDelivery.objects.first()

    listing = admin_client.get(reverse("admin:leaders_reportmaildelivery_changelist"))
    delete = admin_client.post(reverse("admin:leaders_reportmaildelivery_delete",
                                       args=[delivery.pk]), {"post": "yes"})

    assert listing.status_code == 200 and "city_viewer@example.gov.vn" in listing.content.decode()
    assert delete.status_code == 403 and ReportMailDelivery.objects.count() == 2
