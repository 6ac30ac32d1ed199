"""manage.py load_demo / remove_demo: marked, deterministic, idempotent, removable."""

from decimal import Decimal
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone

from attainment.models import Dataset, RecomputeRequest, Rollup, Scope, TargetAttainment
from attainment.tasks import recompute_sweep, recompute_targets
from reporting.models import (
    ApprovedFigure,
    Channel,
    ComplianceRecord,
    FigureOrigin,
    Report,
    ReportEvent,
    ReportLine,
    ReportState,
    Timeliness,
)
from reporting.periods import period_ensure
from targets.models import Comparator, Direction, Level, Measure
from tests.factories import (
    ApprovedFigureFactory,
    IndicatorFactory,
    PlanFactory,
    ReportFactory,
    ReportLineFactory,
    TargetAttainmentFactory,
    TargetFactory,
    UnitFactory,
)
from units.models import UnitKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(city, doit, department, district):
    """A small seeded plan: percent, rank, milestone, fraction and commune-level targets."""
    communes = [UnitFactory(code=f"TC-Q1-P{i}", parent=district, kind=UnitKind.COMMUNE)
                for i in range(2, 12)]
    plan = PlanFactory(code="tc-dx", city=city)
    percent = IndicatorFactory(code="dvc-l4", measure=Measure.PERCENT)
    rank = IndicatorFactory(code="dti-rank", measure=Measure.RANK, direction=Direction.LOWER)
    milestone = IndicatorFactory(code="lgsp", measure=Measure.MILESTONE)
    tasks = IndicatorFactory(code="tasks", measure=Measure.COUNT, fraction=True)
    records = IndicatorFactory(code="records", measure=Measure.PERCENT)
    TargetFactory(plan=plan, code="dvc-2025", indicator=percent, value=Decimal(80),
                  responsible=[doit])
    TargetFactory(plan=plan, code="dvc-2030", indicator=percent, year=2030, value=Decimal(100),
                  responsible=[doit])
    TargetFactory(plan=plan, code="rank", indicator=rank, comparator=Comparator.TOP_N,
                  value=Decimal(10), responsible=[city])
    TargetFactory(plan=plan, code="lgsp", indicator=milestone, comparator=Comparator.MILESTONE,
                  value=None, responsible=[department])
    TargetFactory(plan=plan, code="tasks", indicator=tasks, value=Decimal(30),
                  responsible=[department])
    TargetFactory(plan=plan, code="records-commune", indicator=records, level=Level.COMMUNE,
                  value=Decimal(60), responsible=communes)
    return plan


def _load(django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", **kwargs)


def _snapshot():
    return sorted(
        ApprovedFigure.objects.filter(origin=FigureOrigin.DEMO).values_list(
            "unit__code", "period__year", "period__quarter", "indicator__code", "value",
            "numerator", "denominator", "milestone_state",
        )
    )


def test_load_demo_writes_marked_approved_reports(seeded, django_capture_on_commit_callbacks):
    _load(django_capture_on_commit_callbacks)
    reports = Report.objects.all()
    assert reports.exists()
    assert set(reports.values_list("is_demo", flat=True)) == {True}
    assert set(reports.values_list("state", flat=True)) == {ReportState.APPROVED}
    periods = {(r.period.year, r.period.quarter) for r in reports.select_related("period")}
    assert min(periods) == (2021, 1) and max(periods) == (2026, 3)
    lines = ReportLine.objects.count()
    figures = ApprovedFigure.objects.filter(origin=FigureOrigin.DEMO)
    assert figures.count() == lines > 0
    assert not figures.filter(report__isnull=True).exists()
    assert set(ReportEvent.objects.values_list("channel", flat=True)) == {Channel.DEMO}
    assert ReportEvent.objects.count() == 3 * reports.count()
    # The submission event keeps the historical time, not the time of loading.
    report = reports.first()
    event = report.events.get(action="submitted")
    assert event.at == report.submitted_at


def test_demo_has_on_time_late_and_missing_reports(seeded, django_capture_on_commit_callbacks):
    _load(django_capture_on_commit_callbacks)
    reports = list(Report.objects.select_related("period"))
    late = [r for r in reports if timezone.localdate(r.first_submitted_at) > r.period.deadline]
    assert late and len(late) < len(reports)
    timeliness = set(ComplianceRecord.objects.filter(dataset=Dataset.DEMO)
                     .values_list("timeliness", flat=True))
    assert {Timeliness.ON_TIME, Timeliness.LATE, Timeliness.MISSING} <= timeliness


def test_demo_values_are_plausible_for_their_measure(seeded, django_capture_on_commit_callbacks):
    _load(django_capture_on_commit_callbacks)
    figures = ApprovedFigure.objects.filter(origin=FigureOrigin.DEMO)
    percents = figures.filter(indicator__code__in=["dvc-l4", "records"])
    assert all(Decimal(0) <= v <= Decimal(100) for v in percents.values_list("value", flat=True))
    ranks = figures.filter(indicator__code="dti-rank").values_list("value", flat=True)
    assert all(1 <= v <= 63 and v == int(v) for v in ranks)
    states = set(figures.filter(indicator__code="lgsp").values_list("milestone_state", flat=True))
    assert states <= {"not_started", "in_progress", "done"} and states
    for num, den in figures.filter(indicator__code="tasks").values_list("numerator",
                                                                          "denominator"):
        assert den and 0 <= num <= den


def test_load_demo_recomputes_the_demo_dataset(seeded, django_capture_on_commit_callbacks):
    _load(django_capture_on_commit_callbacks)
    latest = TargetAttainment.objects.filter(dataset=Dataset.DEMO, is_latest=True,
                                             scope=Scope.COMBINED)
    assert latest.count() == seeded.targets.count()
    assert latest.exclude(actual_value__isnull=True).exists()
    assert not TargetAttainment.objects.filter(dataset=Dataset.OFFICIAL,
                                               actual_value__isnull=False).exists()


def test_load_demo_with_the_broker_down_loads_and_its_recompute_waits_then_lands(
    seeded, django_capture_on_commit_callbacks
):
    broker_down = RuntimeError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    with mock.patch.object(recompute_targets, "delay", side_effect=broker_down):
        _load(django_capture_on_commit_callbacks)

    request = RecomputeRequest.objects.get()
    assert (request.dataset, request.dispatched_at, request.done_at) == (Dataset.DEMO, None, None)
    assert sorted(request.target_ids) == sorted(seeded.targets.values_list("pk", flat=True))
    assert ApprovedFigure.objects.filter(origin=FigureOrigin.DEMO).exists()
    assert ComplianceRecord.objects.filter(dataset=Dataset.DEMO).exists()  # no broker needed
    assert not TargetAttainment.objects.exists()

    # The broker is back: the periodic sweep queues it (tasks run in-process here).
    assert recompute_sweep() == {"died": 0, "queued": 1}
    request.refresh_from_db()
    assert request.done_at is not None
    assert TargetAttainment.objects.filter(dataset=Dataset.DEMO, is_latest=True,
                                           scope=Scope.COMBINED).count() == seeded.targets.count()
    assert not TargetAttainment.objects.filter(dataset=Dataset.OFFICIAL).exists()


def test_load_demo_twice_changes_nothing(seeded, django_capture_on_commit_callbacks):
    _load(django_capture_on_commit_callbacks)
    before = (_snapshot(), Report.objects.count(), ReportEvent.objects.count())
    _load(django_capture_on_commit_callbacks)
    assert (_snapshot(), Report.objects.count(), ReportEvent.objects.count()) == before


def test_demo_is_deterministic(seeded, django_capture_on_commit_callbacks):
    _load(django_capture_on_commit_callbacks)
    first = _snapshot()
    call_command("remove_demo")
    _load(django_capture_on_commit_callbacks)
    assert _snapshot() == first


def test_demo_leaves_real_reports_and_document_figures_alone(
    seeded, doit, django_capture_on_commit_callbacks
):
    period = period_ensure(kind="quarter", year=2024, quarter=1)
    real = ReportFactory(unit=doit, period=period, state=ReportState.SUBMITTED)
    ReportLineFactory(report=real, indicator=seeded.targets.get(code="dvc-2025").indicator,
                      value=Decimal("61.5"))
    document = ApprovedFigureFactory(
        unit=doit, period=period_ensure(kind="year", year=2022),
        indicator=seeded.targets.get(code="dvc-2025").indicator, value=Decimal("55"),
        origin=FigureOrigin.DOCUMENT,
    )
    _load(django_capture_on_commit_callbacks)
    real.refresh_from_db()
    assert real.state == ReportState.SUBMITTED and not real.is_demo
    assert real.lines.get().value == Decimal("61.5")
    assert not Report.objects.filter(unit=doit, period=period, is_demo=True).exists()
    document.refresh_from_db()
    assert document.value == Decimal("55") and document.superseded_at is None


def test_remove_demo_deletes_every_demo_row_and_nothing_else(
    seeded, doit, django_capture_on_commit_callbacks
):
    period = period_ensure(kind="quarter", year=2027, quarter=1)
    real = ReportFactory(unit=doit, period=period, state=ReportState.APPROVED)
    real_figure = ApprovedFigureFactory(unit=doit, period=period, report=real,
                                        origin=FigureOrigin.REPORT)
    document = ApprovedFigureFactory(unit=doit, period=period, origin=FigureOrigin.DOCUMENT)
    _load(django_capture_on_commit_callbacks)
    official = TargetAttainmentFactory(target=seeded.targets.first(), period=period)
    assert Report.objects.filter(is_demo=True).exists()
    assert Rollup.objects.filter(dataset=Dataset.DEMO).exists()

    call_command("remove_demo")

    assert not Report.objects.filter(is_demo=True).exists()
    assert not ApprovedFigure.objects.filter(origin=FigureOrigin.DEMO).exists()
    assert not ReportEvent.objects.filter(channel=Channel.DEMO).exists()
    assert not ReportLine.objects.filter(report__is_demo=True).exists()
    for model in (TargetAttainment, Rollup, ComplianceRecord):
        assert not model.objects.filter(dataset=Dataset.DEMO).exists()
    assert Report.objects.filter(pk=real.pk).exists()
    assert ApprovedFigure.objects.filter(pk__in=[real_figure.pk, document.pk]).count() == 2
    assert TargetAttainment.objects.filter(pk=official.pk).exists()


def test_load_demo_without_seed_says_so(db, capsys):
    call_command("load_demo")
    assert "load_seed" in capsys.readouterr().out
    assert not Report.objects.exists()


def test_only_demo_logins_get_the_last_demo_quarter_as_a_draft_to_fill(db):
    from django.core.management import call_command

    from dashboards.demo import LAST_QUARTER
    from dxtracker.demo_accounts import DEMO_EMAIL_DOMAIN
    from reporting.models import Report, ReportState
    from tests.factories import MembershipFactory, UserFactory
    from units.models import Role, Unit

    call_command("load_seed", verbosity=0)
    demo_unit, real_unit = Unit.objects.get(code="CT-SNV"), Unit.objects.get(code="CT-SKHCN")
    demo_login = UserFactory(username="sonoivu.cantho",
                             email=f"sonoivu.cantho@{DEMO_EMAIL_DOMAIN}")
    MembershipFactory(user=demo_login, unit=demo_unit, role=Role.REPORTER)
    # A real reporter (issue 12 item 10): load_demo used to hand them a demo draft that
    # remove_demo later deleted with whatever they had entered in it.
    MembershipFactory(unit=real_unit, role=Role.REPORTER)
    call_command("load_demo")
    year, quarter = LAST_QUARTER
    last = Report.objects.get(unit=demo_unit, period__year=year, period__quarter=quarter)
    assert last.is_demo and last.state == ReportState.DRAFT
    assert not last.lines.exists() and not last.figures.exists()
    others = Report.objects.filter(period__year=year, period__quarter=quarter, is_demo=True)
    # The real reporter's unit still gets its demo report of the quarter, approved, beside
    # any real one: the demo dashboards stay whole.
    assert others.filter(unit=real_unit).exclude(state=ReportState.DRAFT).exists()
    assert not others.filter(unit=real_unit, state=ReportState.DRAFT).exists()
    assert not others.exclude(unit=demo_unit).filter(state=ReportState.DRAFT).exists()


# The last tests read the demo world `make setup` builds, loaded once for them (tests.demo_data);
# they come last in the module because that world stays loaded until the module ends.


def test_units_with_a_reporter_login_get_the_last_demo_quarter_as_a_draft_to_fill(demo):
    from dashboards.demo import LAST_QUARTER
    from reporting.models import Report, ReportState
    from units.models import Membership, Role

    reporter_units = set(Membership.objects.filter(role=Role.REPORTER)
                         .values_list("unit_id", flat=True))
    assert reporter_units  # sonoivu.cantho and skhcn.cantho
    year, quarter = LAST_QUARTER
    last = Report.objects.filter(period__year=year, period__quarter=quarter, is_demo=True)
    assert last.filter(unit_id__in=reporter_units).exists()
    for report in last.filter(unit_id__in=reporter_units):
        assert report.state == ReportState.DRAFT
        assert not report.lines.exists() and not report.figures.exists()
    assert last.exclude(unit_id__in=reporter_units).exclude(state=ReportState.DRAFT).exists()
    assert not last.exclude(unit_id__in=reporter_units).filter(state=ReportState.DRAFT).exists()


def test_demo_reports_follow_the_handover_of_duties(demo):
    from datetime import date

    from reporting.models import Report

    science = Report.objects.filter(unit__code="CT-SKHCN", is_demo=True)
    assert not science.filter(period__ends_on__lt=date(2025, 3, 1)).exists()
    assert science.filter(period__starts_on__gte=date(2025, 4, 1)).exists()
    doit = Report.objects.filter(unit__code="CT-STTTT", is_demo=True)
    assert doit.filter(period__ends_on__lt=date(2025, 3, 1)).exists()
    assert not doit.filter(period__starts_on__gte=date(2025, 3, 1)).exists()


def test_demo_reports_yearly_indicators_once_a_year_only(demo):
    from reporting.models import PeriodKind, ReportLine
    from targets.models import Frequency

    demo_lines = ReportLine.objects.filter(report__is_demo=True)
    yearly = demo_lines.filter(indicator__frequency=Frequency.YEARLY)
    assert yearly.exists()
    assert not yearly.filter(report__period__kind=PeriodKind.QUARTER).exists()
    assert not demo_lines.filter(report__period__kind=PeriodKind.YEAR).exclude(
        indicator__frequency=Frequency.YEARLY
    ).exists()
