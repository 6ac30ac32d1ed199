"""Random figure histories: the engine stores what method.py says, row by row, and an
incremental run after an approval leaves exactly the rows of a full run.

Histories cover every comparator, percent/count/rank/milestone measures, zeros and sign
changes, several units (one merged into another on 1 July 2025), corrections that
supersede a figure, and amendments from random dates (a new value or year, or a retirement):
each period is judged against the version in force on its last day, the latest row against
the version in force today. CI runs this module on SQLite and on PostgreSQL.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attainment import method
from attainment.combine import UnitValue, combine
from attainment.engine import decimal_year_end
from attainment.models import Scope, TargetAttainment
from reporting.models import ApprovedFigure, PeriodKind
from reporting.periods import period_bounds, report_deadline
from targets.models import Aggregation, Comparator, Direction, Level, Measure, TargetAmendment
from tests.attainment.conftest import TODAY, figure, period, recompute, snapshot
from tests.factories import IndicatorFactory, PlanFactory, TargetFactory, UnitFactory
from units.models import UnitKind, existed_during

pytestmark = pytest.mark.django_db

# (comparator, measure, direction, needs a baseline)
KINDS = [
    (Comparator.AT_LEAST, Measure.PERCENT, Direction.HIGHER, False),
    (Comparator.MORE_THAN, Measure.COUNT, Direction.HIGHER, False),
    (Comparator.AT_MOST, Measure.PERCENT, Direction.LOWER, False),
    (Comparator.LESS_THAN, Measure.COUNT, Direction.LOWER, False),
    (Comparator.TOP_N, Measure.RANK, Direction.LOWER, False),
    (Comparator.REDUCE_BY, Measure.COUNT, Direction.LOWER, True),
    (Comparator.INCREASE_BY, Measure.COUNT, Direction.HIGHER, True),
    (Comparator.MILESTONE, Measure.MILESTONE, Direction.HIGHER, False),
]
QUARTERS = [f"{y}-Q{q}" for y in range(2021, 2027) for q in range(1, 5)]
VALUES = st.sampled_from([-12.5, -1, 0, 0, 0.5, 3, 10, 42, 60, 79.9, 80, 85, 100, 250])
STATES = st.sampled_from([method.NOT_STARTED, method.IN_PROGRESS, method.DONE])
# Amendments take effect inside quarters and on their first days, before and after TODAY.
AMENDED_ON = st.sampled_from([date(2022, 4, 1), date(2023, 7, 15), date(2024, 1, 1),
                              date(2024, 10, 1), date(2024, 12, 31), date(2025, 4, 1),
                              date(2026, 1, 1)])
AMENDMENTS = st.lists(
    st.tuples(AMENDED_ON, VALUES, st.sampled_from([2024, 2025, 2026, 2030]),
              st.sampled_from([False, False, False, True])),
    max_size=2, unique_by=lambda a: a[0],
)
PROFILE = settings(max_examples=25, deadline=None, derandomize=True,
                   suppress_health_check=[HealthCheck.function_scoped_fixture,
                                          HealthCheck.too_slow])


@st.composite
def histories(draw, n_units: int):
    """{unit index: [(quarter code, value or milestone state)]}, quarters in order."""
    kind = draw(st.sampled_from(KINDS))
    history = {}
    for u in range(n_units):
        quarters = draw(st.lists(st.sampled_from(QUARTERS), min_size=0, max_size=8,
                                 unique=True))
        values = STATES if kind[1] == Measure.MILESTONE else VALUES
        history[u] = [(q, draw(values)) for q in sorted(quarters)]
    return (kind, history, draw(st.sampled_from([2025, 2026, 2030])), draw(VALUES),
            draw(AMENDMENTS))


def _amend(target, amendments):
    """Amend the target as later documents would: same comparator, new value and year."""
    for day, goal, year, retires in amendments:
        TargetAmendment.objects.create(
            target=target, document_number=f"{day:%Y%m%d}/QD", effective_from=day,
            comparator=target.comparator, year=year, retires=retires,
            value=None if target.value is None else Decimal(str(abs(goal) or 10)),
        )


def _target(city, units, kind, year, goal, *, level, aggregation=Aggregation.MEAN):
    comparator, measure, direction, needs_base = kind
    indicator = IndicatorFactory(measure=measure, direction=direction, aggregation=aggregation)
    value = None if comparator == Comparator.MILESTONE else Decimal(str(abs(goal) or 10))
    return TargetFactory(
        plan=PlanFactory(city=city), indicator=indicator, level=level, year=year,
        comparator=comparator, value=value, responsible=units,
        baseline_value=Decimal(40) if needs_base else None,
        baseline_year=2020 if needs_base else None,
    )


def _add(target, unit, code, value):
    if isinstance(value, str):
        return figure(target.indicator, unit, code, milestone_state=value)
    return figure(target.indicator, unit, code, value)


def _judged_by(target, day: date) -> tuple[method.TargetSpec, float, bool]:
    """The spec of the version in force on ``day`` (Target.version_on), its final due time,
    and whether that version retires the target (judged then by the terms it ended)."""
    in_force = target.version_on(day)
    terms = [v for v in target.versions()
             if not v.retired and (v.effective_from is None or v.effective_from <= day)][-1]
    spec = method.TargetSpec(
        comparator=terms.comparator, value=None if terms.value is None else float(terms.value),
        year=terms.year, direction=target.indicator.direction,
        measure=target.indicator.measure,
        baseline_value=None if target.baseline_value is None else float(target.baseline_value),
        baseline_year=target.baseline_year,
    )
    last_quarter = period_bounds(PeriodKind.QUARTER, terms.year, 4)[1]
    return spec, decimal_year_end(report_deadline(last_quarter)), in_force.retired


def _evaluate(target, day, observations, as_of_t, state):
    spec, final_due_t, retired = _judged_by(target, day)
    return method.evaluate(spec, observations, as_of_t, state, final_due_t=final_due_t,
                           retired=retired)


def _expected_unit_rows(target, figures) -> list[tuple]:
    """What method.py says for one unit's figures, period by period (the oracle)."""
    today_t = decimal_year_end(TODAY)
    if not figures:
        # A responsible unit without figures still shows, as of today, with no data.
        ev = _evaluate(target, TODAY, [], today_t, None)
        return [(None, True, ev.status, ev.actual, ev.attainment_pct, ev.effective_target,
                 ev.ratio, ev.n_observations, ev.stale, ev.since_deadline_value)]
    observations, state, rows = [], None, []
    for i, fig in enumerate(figures):
        t = method.period_end_t(fig.period.year, fig.period.quarter)
        if fig.milestone_state:
            state = fig.milestone_state
            observations.append(method.Observation(t, method.MILESTONE_ATTAINMENT[state]))
        elif fig.value is not None:
            observations.append(method.Observation(t, float(fig.value)))
        latest = i == len(figures) - 1
        ends_on = fig.period.ends_on
        ev = _evaluate(target, max(ends_on, TODAY) if latest else ends_on, observations,
                       max(t, today_t) if latest else t, state)
        rows.append((fig.period_id, latest, ev.status, ev.actual, ev.attainment_pct,
                     ev.effective_target, ev.ratio, ev.n_observations, ev.stale,
                     ev.since_deadline_value))
    return rows


def _stored_unit_rows(target, unit) -> list[tuple]:
    return [
        tuple(r) for r in TargetAttainment.objects.filter(
            dataset="official", target=target, scope=Scope.UNIT, unit=unit
        ).order_by("period__starts_on").values_list(
            "period_id", "is_latest", "status", "actual_value", "attainment_pct",
            "effective_target", "ratio", "n_observations", "stale", "since_deadline_value",
        )
    ]


@PROFILE
@given(case=histories(n_units=2))
def test_stored_unit_rows_are_the_methods_evaluation_row_by_row(city, case):
    kind, history, year, goal, amendments = case
    with transaction.atomic():
        units = [UnitFactory(code=f"PD{i}", parent=city, kind=UnitKind.DEPARTMENT)
                 for i in range(2)]
        target = _target(city, units, kind, year, goal, level=Level.DEPARTMENT)
        _amend(target, amendments)
        for u, entries in history.items():
            for code, value in entries:
                _add(target, units[u], code, value)
        recompute()
        for unit in units:
            figures = list(ApprovedFigure.objects.filter(unit=unit, superseded_at__isnull=True)
                           .select_related("period").order_by("period__starts_on"))
            stored = _stored_unit_rows(target, unit)
            if not figures:  # the placeholder's period is the latest started one
                stored = [(None, *r[1:]) for r in stored]
            assert stored == _expected_unit_rows(target, figures)
        transaction.set_rollback(True)


# An approval: (unit index, quarter, value, milestone state, withdraw): the figure of that
# cell is superseded by a new one, or only withdrawn (a correction that left it empty).
APPROVALS = st.lists(
    st.tuples(st.integers(0, 2), st.sampled_from(QUARTERS), VALUES, STATES,
              st.sampled_from([False, False, False, True])),
    min_size=1, max_size=3,
)


def _approve(target, unit, code, value, *, withdraw):
    ApprovedFigure.objects.filter(unit=unit, indicator=target.indicator, period=period(code),
                                  superseded_at__isnull=True).update(
        superseded_at=timezone.now())
    if not withdraw:
        _add(target, unit, code, value)
    return (target.pk, unit.pk, period(code).pk)


@PROFILE
@given(case=histories(n_units=3), aggregation=st.sampled_from(
    [Aggregation.SUM, Aggregation.MEAN, Aggregation.WEIGHTED, Aggregation.SHARE_MEETING]),
    approvals=APPROVALS, level=st.sampled_from([Level.DISTRICT, Level.CITY]))
def test_an_incremental_run_after_an_approval_leaves_the_rows_of_a_full_run(
    city, case, aggregation, approvals, level
):
    kind, history, year, goal, amendments = case
    with transaction.atomic():
        # The periods exist before anyone reports for them (the period task opens them): a
        # period created later moves every target's "no data" row, a nightly run's business.
        for code in QUARTERS:
            period(code)
        d0 = UnitFactory(code="PX0", parent=city, kind=UnitKind.DISTRICT)
        d1 = UnitFactory(code="PX1", parent=city, kind=UnitKind.DISTRICT)
        # Merged into the first district on 1 July 2025: its figures count until then.
        merged = UnitFactory(code="PX2", parent=city, kind=UnitKind.DISTRICT,
                             valid_to=date(2025, 7, 1), successor=d0)
        units = [d0, d1, merged]
        target = _target(city, units, kind, year, goal, level=level,
                         aggregation=aggregation)
        _amend(target, amendments)
        # Same indicator, another plan: the approval reaches it too (its own cells).
        sibling = TargetFactory(plan=PlanFactory(city=city), indicator=target.indicator,
                                level=Level.DISTRICT, year=2030, comparator=target.comparator,
                                value=target.value, responsible=[d1, merged],
                                baseline_value=target.baseline_value,
                                baseline_year=target.baseline_year)
        bystander = _target(city, units, KINDS[0], 2030, 80, level=Level.DISTRICT)
        for u, entries in history.items():
            for code, value in entries:
                _add(target, units[u], code, value)
        _add(bystander, d1, "2024-Q1", 55)
        recompute()
        before_bystander = [r for r in snapshot("official") if r[0] == "TargetAttainment"
                            and r[2] == bystander.pk]

        for u, code, value, state, withdraw in approvals:
            cell = _approve(target, units[u], code,
                            state if kind[1] == Measure.MILESTONE else value,
                            withdraw=withdraw)
            # What an approval's outbox row asks: the targets it reaches and its one cell.
            run = recompute(target_ids=[target.pk, sibling.pk],
                            changes=[cell, (sibling.pk, *cell[1:])])
            incremental = snapshot("official")
            assert [r for r in incremental if r[0] == "TargetAttainment"
                    and r[2] == bystander.pk] == before_bystander
            recompute()
            assert snapshot("official") == incremental
            assert run.status == "done"
        transaction.set_rollback(True)


@PROFILE
@given(case=histories(n_units=3), approval=st.tuples(
    st.integers(0, 2), st.sampled_from(QUARTERS), VALUES, STATES))
def test_a_whole_target_run_after_an_approval_leaves_the_rows_of_a_full_run(
    city, case, approval
):
    kind, history, year, goal, amendments = case
    with transaction.atomic():
        for code in QUARTERS:
            period(code)
        units = [UnitFactory(code=f"PW{i}", parent=city, kind=UnitKind.DISTRICT)
                 for i in range(3)]
        target = _target(city, units, kind, year, goal, level=Level.DISTRICT)
        _amend(target, amendments)
        for u, entries in history.items():
            for code, value in entries:
                _add(target, units[u], code, value)
        recompute()
        u, code, value, state = approval
        _approve(target, units[u], code, state if kind[1] == Measure.MILESTONE else value,
                 withdraw=False)
        recompute(target_ids=[target.pk])
        whole = snapshot("official")
        recompute()
        assert snapshot("official") == whole
        transaction.set_rollback(True)


# A unit's figure for the combining test: a value, or a fraction only (9/33, 0/0 too).
ENTRIES = st.one_of(VALUES, st.tuples(st.sampled_from([0, 9, 24, 33]),
                                      st.sampled_from([0, 33, 54])))


@PROFILE
@given(kind=st.sampled_from([k for k in KINDS if k[1] != Measure.MILESTONE]),
       aggregation=st.sampled_from([Aggregation.SUM, Aggregation.MEAN, Aggregation.WEIGHTED,
                                    Aggregation.SHARE_MEETING, Aggregation.CONSOLIDATED]),
       history=st.lists(st.lists(st.tuples(st.sampled_from(QUARTERS), ENTRIES), max_size=8,
                                 unique_by=lambda e: e[0]), min_size=3, max_size=3),
       goal=VALUES)
def test_stored_combined_values_are_combine_of_the_units_of_each_period(
    city, kind, aggregation, history, goal
):
    """Every combined row holds combine() of the units taking part in its period: each
    unit's latest figure so far, a unit merged away only for the periods it existed."""
    with transaction.atomic():
        d0 = UnitFactory(code="PC0", parent=city, kind=UnitKind.DISTRICT)
        d1 = UnitFactory(code="PC1", parent=city, kind=UnitKind.DISTRICT)
        merged = UnitFactory(code="PC2", parent=city, kind=UnitKind.DISTRICT,
                             valid_to=date(2025, 7, 1), successor=d0)
        units = [d0, d1, merged]
        target = _target(city, units, kind, 2025, goal, level=Level.DISTRICT,
                         aggregation=aggregation)
        for unit, entries in zip(units, history, strict=True):
            for code, entry in entries:
                if isinstance(entry, tuple):
                    figure(target.indicator, unit, code, numerator=Decimal(entry[0]),
                           denominator=Decimal(entry[1]))
                else:
                    figure(target.indicator, unit, code, entry)
        recompute()
        spec = _judged_by(target, TODAY)[0]
        stored = list(TargetAttainment.objects.filter(
            dataset="official", target=target, scope=Scope.COMBINED,
        ).order_by("period__ends_on", "period__starts_on").values_list(
            "period__starts_on", "period__ends_on", "period_value", "numerator",
            "denominator", "n_units"))
        figures = {unit.pk: list(ApprovedFigure.objects.filter(unit=unit).select_related(
            "period").order_by("period__ends_on")) for unit in units}
        if not any(figures.values()):
            assert [r[2:] for r in stored] == [(None, None, None, 0)]  # the placeholder
            transaction.set_rollback(True)
            return
        expected = []
        for starts_on, ends_on, *_ in stored:
            taking_part = []
            for unit in units:
                so_far = [f for f in figures[unit.pk] if f.period.ends_on <= ends_on]
                if so_far and existed_during(unit.valid_from, unit.valid_to, starts_on,
                                             ends_on):
                    last = so_far[-1]
                    taking_part.append(UnitValue(*(None if x is None else float(x) for x in
                                                   (last.value, last.numerator,
                                                    last.denominator))))
            combined = combine(aggregation, taking_part, spec)
            expected.append((starts_on, ends_on, combined.value, combined.numerator,
                             combined.denominator, combined.n_units))
        assert [repr(r) for r in stored] == [repr(r) for r in expected]
        transaction.set_rollback(True)


@PROFILE
@given(case=histories(n_units=3), other_year=st.sampled_from([2025, 2026, 2030]))
def test_targets_judged_alike_are_evaluated_together_each_row_still_the_methods(
    city, case, other_year
):
    """A full run evaluates the targets judged by the same spec in one batch (one per
    province of a national target): each of their rows is still the oracle's, and a target
    judged otherwise beside them keeps its own."""
    kind, history, year, goal, _amendments = case
    with transaction.atomic():
        units = [UnitFactory(code=f"PB{i}", parent=city, kind=UnitKind.DEPARTMENT)
                 for i in range(3)]
        # Three copies of one target, each with its own unit, and one due another year.
        targets = [_target(city, [unit], kind, year, goal, level=Level.DEPARTMENT)
                   for unit in units]
        targets.append(_target(city, units[:1], kind, other_year, goal,
                               level=Level.DEPARTMENT))
        for target, unit, entries in zip(targets, [*units, units[0]],
                                         [*history.values(), history[0]], strict=True):
            for code, value in entries:
                _add(target, unit, code, value)
        recompute()
        for target, unit in zip(targets, [*units, units[0]], strict=True):
            figures = list(ApprovedFigure.objects.filter(
                unit=unit, indicator=target.indicator, superseded_at__isnull=True,
            ).select_related("period").order_by("period__starts_on"))
            stored = _stored_unit_rows(target, unit)
            if not figures:
                stored = [(None, *r[1:]) for r in stored]
            assert stored == _expected_unit_rows(target, figures)
        transaction.set_rollback(True)
