"""manage.py benchmark_attainment: prints its figures and leaves nothing BENCH-* behind."""

from io import StringIO

import pytest
from django.core.management import call_command

from attainment.models import RecomputeRun, Rollup, TargetAttainment
from reporting.models import ApprovedFigure, Period
from targets.models import Indicator, Plan, Target
from units.models import Unit

pytestmark = pytest.mark.django_db


def assert_no_bench_rows(periods_before):
    assert not Unit.objects.filter(code__startswith="BENCH-").exists()
    assert not Indicator.objects.filter(code__startswith="BENCH-").exists()
    assert not Plan.objects.filter(code__startswith="BENCH-").exists()
    assert not Target.objects.filter(plan__code__startswith="BENCH-").exists()
    assert not ApprovedFigure.objects.exists()
    assert not TargetAttainment.objects.exists() and not Rollup.objects.exists()
    assert not RecomputeRun.objects.filter(trigger="benchmark").exists()
    assert set(Period.objects.values_list("pk", flat=True)) == periods_before


def test_benchmark_prints_timings_and_cleans_up():
    out = StringIO()
    call_command("benchmark_attainment", "--figures", "300", "--targets", "3", stdout=out)
    text = out.getvalue()
    assert "built 300 figures: 3 targets x 5 units x 20 quarters" in text
    assert "full recompute:" in text and "3 targets" in text and "queries" in text
    assert "incremental recompute (1 target):" in text and "peak RSS" in text
    assert_no_bench_rows(set())


def test_benchmark_cleans_up_even_when_the_recompute_fails(monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(
        "attainment.management.commands.benchmark_attainment.attainment_recompute", broken
    )
    with pytest.raises(RuntimeError):
        call_command("benchmark_attainment", "--figures", "100", stdout=StringIO())
    assert_no_bench_rows(set())
