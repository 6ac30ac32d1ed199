"""manage.py benchmark_attainment: prints its figures and leaves nothing BENCH-* behind."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from attainment.models import RecomputeRun, Rollup, TargetAttainment
from reporting.models import ApprovedFigure, Period
from targets.models import Indicator, Plan, Target
from units.models import Unit

pytestmark = pytest.mark.django_db


def assert_no_bench_rows(periods_before=None):
    assert not Unit.objects.filter(code__startswith="BENCH-").exists()
    assert not Indicator.objects.filter(code__startswith="BENCH-").exists()
    assert not Plan.objects.filter(code__startswith="BENCH-").exists()
    assert not Target.objects.filter(plan__code__startswith="BENCH-").exists()
    assert not ApprovedFigure.objects.exists()
    assert not TargetAttainment.objects.exists() and not Rollup.objects.exists()
    assert not RecomputeRun.objects.filter(trigger="benchmark").exists()
    if periods_before is not None:
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


def test_national_benchmark_sets_each_run_beside_the_reference_and_cleans_up():
    out = StringIO()
    call_command("benchmark_attainment", "--national", "--scale", "0.001", "--approvals", "3",
                 stdout=out)
    lines = out.getvalue().splitlines()
    assert "built 4,080 figures: 34 provinces x 3 units x 3 targets (1 units each) x 40 " \
           "quarters" in lines[1]
    assert lines[2].startswith("full recompute:") and "102 targets" in lines[2]
    assert lines[3].startswith("reference: bare scan of the figures")
    assert "incremental recompute after one approval (3 approvals" in lines[4]
    assert re.fullmatch(r"ratio full/reference \d+\.\d\d; incremental p95 \d+ ms", lines[-2])
    assert lines[-1] == "removed every BENCH-* row"
    assert_no_bench_rows(set())


def test_national_benchmark_can_keep_its_country_for_the_page_benchmark():
    call_command("benchmark_attainment", "--national", "--scale", "0.001", "--approvals", "1",
                 "--keep", stdout=StringIO())
    assert Unit.objects.filter(code__startswith="BENCH-P", kind="province").count() == 34
    assert ApprovedFigure.objects.filter(superseded_at__isnull=True).count() == 4080
    assert TargetAttainment.objects.exists()
    call_command("benchmark_attainment", "--remove", stdout=StringIO())
    # Periods stay: --remove cannot tell the ones the benchmark made from those it found.
    assert_no_bench_rows()
