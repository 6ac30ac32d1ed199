"""Audit that cannot be bypassed, through the admin as a superuser would try it.

The record (reports, events, approved figures) is read-only even for the superuser; targets,
memberships, periods and API tokens keep a history with who, when and old → new; an account
the record names is deactivated instead of deleted, and its events keep its name.
"""


import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse

from api.models import ApiToken
from api.services import api_token_issue
from dxtracker.audit import AccountHasHistory, account_has_history
from reporting.models import ApprovedFigure, Period, Report, ReportEvent, ReportState
from reporting.services import report_approve, report_open, report_save, report_submit
from targets.models import CatalogueChange, Plan, Target
from tests.factories import MembershipFactory, UserFactory
from units.models import Membership, Role

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def approved(department_reporter, doit_reviewer, department, period, targets, full_values,
             recompute):
    report = report_open(user=department_reporter, unit=department, period=period)
    report = report_save(user=department_reporter, report=report, values=full_values,
                         expected_version=report.version, channel="web")
    report = report_submit(user=department_reporter, report=report, channel="web")
    return report_approve(user=doit_reviewer, report=report, channel="web",
                          expected_version=report.version)


def _url(model, action, *args):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{action}", args=args)


def _form_data(response) -> dict:
    """The POST data of an admin change form as it was rendered (its initial values)."""
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = str(value)
    for formset in response.context.get("inline_admin_formsets", []):
        management = formset.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management[name].value()
    return data


# --- the record is read-only, even for the superuser ---------------------------------------


def test_superuser_reads_an_approved_figure_but_cannot_edit_it(admin_client, approved):
    figure = ApprovedFigure.objects.filter(value__isnull=False).first()
    before = figure.value

    page = admin_client.get(_url(ApprovedFigure, "change", figure.pk))
    posted = admin_client.post(_url(ApprovedFigure, "change", figure.pk),
                               {"value": "99.99", "origin": figure.origin})

    assert page.status_code == 200
    assert 'name="value"' not in page.content.decode()  # shown, not an input
    assert posted.status_code == 403
    figure.refresh_from_db()
    assert figure.value == before


@pytest.mark.parametrize("model", [ApprovedFigure, Report])
def test_superuser_cannot_add_or_delete_the_record(admin_client, approved, model):
    row = model.objects.first()
    count = model.objects.count()

    add = admin_client.get(_url(model, "add"))
    delete_page = admin_client.get(_url(model, "delete", row.pk))
    delete = admin_client.post(_url(model, "delete", row.pk), {"post": "yes"})
    bulk = admin_client.post(_url(model, "changelist"),
                             {"action": "delete_selected", "_selected_action": [row.pk],
                              "post": "yes"})

    assert (add.status_code, delete_page.status_code, delete.status_code) == (403, 403, 403)
    assert bulk.status_code in (200, 302)
    assert model.objects.count() == count
    assert ReportEvent.objects.filter(report=approved).count() == 4


def test_superuser_cannot_revert_a_report_from_its_history(admin_client, approved):
    first = approved.history.order_by("history_id").first()
    url = reverse("admin:reporting_report_simple_history", args=[approved.pk, first.history_id])

    page = admin_client.get(url)
    revert = admin_client.post(url, {"state": ReportState.DRAFT, "version": "1"})

    assert page.status_code == 200
    assert revert.status_code == 403
    assert Report.objects.get(pk=approved.pk).state == ReportState.APPROVED


def test_report_events_show_read_only_in_the_report(admin_client, approved):
    page = admin_client.get(_url(Report, "change", approved.pk)).content.decode()

    assert "Minh" in page  # the submitter's stored name in the events inline
    assert "events-0-DELETE" not in page
    assert "lines-0-DELETE" not in page


# --- history of targets, memberships, periods and tokens ----------------------------------


def test_a_target_change_in_the_admin_keeps_who_when_and_old_to_new(admin_client, superuser,
                                                                     targets, recompute):
    target = targets["cnt"]
    page = admin_client.get(_url(Target, "change", target.pk))
    data = _form_data(page)
    data["value"] = "99.99"

    response = admin_client.post(_url(Target, "change", target.pk), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    change = CatalogueChange.objects.get(target=target)
    assert change.user == superuser
    assert change.changes["value"] == ["50", "99.99"]
    listed = admin_client.get(_url(CatalogueChange, "change", change.pk))
    assert listed.status_code == 200
    assert admin_client.post(_url(CatalogueChange, "delete", change.pk),
                             {"post": "yes"}).status_code == 403


def test_targets_cannot_be_edited_unrecorded_from_the_plan_page(admin_client, targets):
    plan = targets["cnt"].plan
    page = admin_client.get(_url(Plan, "change", plan.pk)).content.decode()

    assert page.count('name="targets-0-value"') == 0  # listed, not editable inline


def test_locking_a_period_in_the_admin_is_kept_in_its_history(admin_client, superuser, period):
    page = admin_client.get(_url(Period, "change", period.pk))
    data = _form_data(page)
    data["is_locked"] = "on"

    admin_client.post(_url(Period, "change", period.pk), data)

    last = period.history.latest()
    assert (last.is_locked, last.prev_record.is_locked, last.history_user) == (
        True, False, superuser
    )
    assert admin_client.get(_url(Period, "history", period.pk)).status_code == 200


def test_granting_and_withdrawing_a_role_is_kept(admin_client, superuser, department):
    clerk = UserFactory(username="new_clerk")

    admin_client.post(_url(Membership, "add"),
                      {"user": clerk.pk, "unit": department.pk, "role": Role.REPORTER})
    membership = Membership.objects.get(user=clerk)
    admin_client.post(_url(Membership, "delete", membership.pk), {"post": "yes"})

    kinds = list(Membership.history.filter(user_id=clerk.pk).order_by("history_id")
                 .values_list("history_type", "history_user__username", "role"))
    assert kinds == [("+", "root", Role.REPORTER), ("-", "root", Role.REPORTER)]


def test_granting_writing_to_and_revoking_a_token_is_kept(admin_client, superuser,
                                                          doit_reviewer):
    token, _ = api_token_issue(user=doit_reviewer, name="LGSP")
    page = admin_client.get(_url(ApiToken, "change", token.pk))
    data = _form_data(page)
    data["can_write"] = "on"
    admin_client.post(_url(ApiToken, "change", token.pk), data)
    admin_client.post(_url(ApiToken, "changelist"),
                      {"action": "revoke", "_selected_action": [token.pk]})

    rows = list(token.history.order_by("history_id")
                .values_list("can_write", "revoked_at", "history_user__username"))
    assert [(w, r is not None, u) for w, r, u in rows] == [
        (False, False, None), (True, False, "root"), (True, True, "root"),
    ]
    assert "key_hash" not in {f.name for f in token.history.model._meta.fields}


# --- accounts with history are kept ---------------------------------------------------------


def test_deleting_an_account_with_history_in_the_admin_deactivates_it(admin_client, approved,
                                                                       department_reporter):
    response = admin_client.post(_url(User, "delete", department_reporter.pk), {"post": "yes"},
                                 follow=True)

    department_reporter.refresh_from_db()
    assert department_reporter.is_active is False
    assert "Không xóa mà khóa" in response.content.decode()
    submitted = ReportEvent.objects.get(report=approved, action="submitted")
    assert (submitted.actor, submitted.actor_name) == (department_reporter, "Minh")


def test_bulk_delete_keeps_accounts_with_history_and_deletes_the_others(admin_client, approved,
                                                                        department_reporter):
    stranger = UserFactory(username="never_did_anything")

    admin_client.post(_url(User, "changelist"),
                      {"action": "delete_selected", "post": "yes",
                       "_selected_action": [department_reporter.pk, stranger.pk]})

    assert not User.objects.filter(pk=stranger.pk).exists()
    assert User.objects.get(pk=department_reporter.pk).is_active is False


def test_deactivate_action_keeps_the_account(admin_client, department_reporter):
    admin_client.post(_url(User, "changelist"),
                      {"action": "deactivate", "_selected_action": [department_reporter.pk]})

    assert User.objects.get(pk=department_reporter.pk).is_active is False


def test_an_account_with_history_cannot_be_deleted_in_code(approved, doit_reviewer):
    assert account_has_history(doit_reviewer)

    # Each attempt in its own savepoint: the deletion's transaction is rolled back whole.
    with pytest.raises(AccountHasHistory), transaction.atomic():
        doit_reviewer.delete()
    with pytest.raises(AccountHasHistory), transaction.atomic():
        User.objects.filter(pk=doit_reviewer.pk).delete()

    assert ReportEvent.objects.filter(actor=doit_reviewer).exists()


def test_an_account_without_history_is_deleted(admin_client, department):
    clerk = UserFactory(username="typo_account")
    MembershipFactory(user=clerk, unit=department, role=Role.REPORTER)  # a role is no history
    assert not account_has_history(clerk)

    admin_client.post(_url(User, "delete", clerk.pk), {"post": "yes"})

    assert not User.objects.filter(pk=clerk.pk).exists()


def test_events_store_the_actors_name_when_written(approved, doit_reviewer):
    names = dict(ReportEvent.objects.filter(report=approved).values_list("action", "actor_name"))

    assert names["submitted"] == "Minh"
    assert names["approved"] == "Hùng"
