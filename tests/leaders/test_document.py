"""manage.py city_report: a .docx and a .pdf that open, whose every figure is the dashboards'.

The expected figures come from the dashboards' own selector (city_overview) and formatter
(format_cell), so a report that re-derived or re-rounded anything would differ.
"""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from attainment.models import Dataset, Status
from dashboards.selectors import city_overview
from dashboards.tables import NUMBER, PERCENT, format_cell
from reporting.models import Period, Timeliness
from reporting.selectors import compliance_matrix
from targets.models import Plan
from tests.dashboards.conftest import build_city_data
from tests.leaders.conftest import docx_tables, docx_text, pdf_pages, table_with

pytestmark = pytest.mark.django_db

BANNER = "DỮ LIỆU MẪU"
TARGET_HEADINGS = ("Chỉ tiêu", "Mục tiêu", "Giá trị mới nhất", "Tính đến", "Đánh giá")


def run(tmp_path, *args) -> bytes:
    out = tmp_path / "report.bin"
    call_command("city_report", *args, "--output", str(out), stdout=StringIO(),
                 stderr=StringIO())
    return out.read_bytes()


def value_text(row) -> str:
    text = format_cell(row.actual, NUMBER)
    a = row.attainment
    if a is not None and a.numerator is not None and a.denominator is not None:
        text += f" ({format_cell(a.numerator, NUMBER)}/{format_cell(a.denominator, NUMBER)})"
    return text


def coverage(a) -> str:
    """The engine's stored coverage of a combined value ("–" for a city's own figure)."""
    return f"{a.units_reported or 0}/{a.units_expected}" if a and a.units_expected else "–"


def dashboard_rows(city, dataset: str) -> Counter:
    """Every target of every plan as the city overview shows it, formatted the page's way."""
    rows = Counter()
    with translation.override("vi"):
        for plan in Plan.objects.filter(city=city):
            for r in city_overview(city=city, dataset=dataset, plan_id=plan.pk).plan_rows:
                rows[(
                    r.target.indicator.name, r.target.get_level_display(), r.target.describe(),
                    str(r.target.year), value_text(r), str(r.period) if r.period else "–",
                    format_cell(r.attainment_pct, PERCENT), str(Status(r.status).label),
                    format_cell(r.projected, NUMBER), coverage(r.attainment),
                )] += 1
    return rows


def report_rows(tables) -> Counter:
    rows = Counter()
    for table in table_with(tables, *TARGET_HEADINGS):
        for cells in table[1:]:
            rows[tuple(cells[:10])] += 1
    return rows


def dashboard_headlines(city, dataset: str) -> dict[str, Counter]:
    """Per plan title: its targets counted by status label, from the overview's rows."""
    with translation.override("vi"):
        counts = {}
        for plan in Plan.objects.filter(city=city):
            rows = city_overview(city=city, dataset=dataset, plan_id=plan.pk).plan_rows
            counts[plan.title] = Counter(str(Status(r.status).label) for r in rows)
        return counts


def report_headlines(tables) -> dict[str, Counter]:
    table = table_with(tables, "Kế hoạch / trụ cột", "Bao phủ")[0]
    header, plans = table[0], {}
    for cells in table[1:]:
        if cells[0].startswith("   "):  # a pillar row under its plan
            continue
        plans[cells[0]] = Counter({header[i]: int(cells[i]) for i in range(4, len(header))
                                   if int(cells[i])})
        assert int(cells[1]) == sum(plans[cells[0]].values())
    return plans


def compliance_counts(city, dataset: str, period) -> dict[str, str]:
    _u, _p, cells = compliance_matrix(dataset=dataset, city=city, periods=[period])
    counts = Counter(r.timeliness for r in cells.values())
    with translation.override("vi"):
        return {str(Timeliness(t).label): str(counts.get(t, 0)) for t in Timeliness.values}


# ---------------------------------------------------------------- hand-built city


def test_docx_figures_are_the_dashboards(tmp_path, city, city_data, settings):
    settings.SITE_URL = "https://dx.example.gov.vn"
    body = run(tmp_path, "--city", "TC", "--period", "2025-Q4", "--format", "docx")
    tables = docx_tables(body)
    assert report_rows(tables) == dashboard_rows(city, Dataset.OFFICIAL)
    assert sum(report_rows(tables).values()) == 6
    assert report_headlines(tables) == dashboard_headlines(city, Dataset.OFFICIAL)
    compliance = table_with(tables, "Báo cáo", "Tỷ lệ")[0]
    assert {c[0]: c[1] for c in compliance[1:]} == compliance_counts(
        city, Dataset.OFFICIAL, city_data.periods[-1])
    text = docx_text(body)
    assert "Báo cáo tình hình thực hiện chuyển đổi số" in text
    assert "Thành phố Thử nghiệm" in text and "Quý 4/2025" in text
    assert "https://dx.example.gov.vn/attainment/method/" in text
    # The engine's computed_at of the newest result shown (build_city_data: 20/01/2026 09:00).
    assert "Thời điểm chốt số liệu" in text and "20/01/2026 09:00" in text
    assert BANNER not in text


def test_vietnamese_number_format(tmp_path, city_data):
    tables = docx_tables(run(tmp_path, "--city", "TC", "--period", "2025-Q4", "--format", "docx"))
    values = [row[4] for t in table_with(tables, *TARGET_HEADINGS) for row in t[1:]]
    assert "1.234,5" in values  # target 0's latest value, 1234.5


def test_pdf_opens_and_states_the_dashboards_figures(tmp_path, city, city_data):
    pages = pdf_pages(run(tmp_path, "--city", "TC", "--period", "2025-Q4", "--format", "pdf"))
    text = "\n".join(pages)
    assert "Báo cáo tình hình thực hiện chuyển đổi số" in text
    assert "Thành phố Thử nghiệm" in text
    # A cell that wraps loses its space in the extracted text ("quá\nhạn" -> "quáhạn").
    squeezed = "".join(text.split())
    for key in dashboard_rows(city, Dataset.OFFICIAL):
        row = "".join("".join(key[1:9]).split())  # level ... projection, as the row prints
        assert row in squeezed, key
    for label, n in compliance_counts(city, Dataset.OFFICIAL, city_data.periods[-1]).items():
        assert f"{label} {n}" in text


def test_an_earlier_period_reports_the_results_as_of_then(tmp_path, city_data):
    tables = docx_tables(run(tmp_path, "--city", "TC", "--period", "2025-Q2", "--format", "docx"))
    rows = [row for t in table_with(tables, *TARGET_HEADINGS) for row in t[1:]]
    # build_city_data: target i's value in the quarter j is 40 + 10 j + i.
    assert sorted(row[4] for row in rows) == ["50", "51", "52", "53", "54", "55"]
    assert {row[5] for row in rows} == {"Quý 2/2025"}


def test_english_on_request(tmp_path, city_data):
    text = docx_text(run(tmp_path, "--city", "TC", "--period", "2025-Q4", "--format", "docx",
                         "--lang", "en"))
    assert "Progress report on digital transformation" in text and "Test City" in text


def test_demo_only_when_asked_and_then_marked(tmp_path, city, doit, department):
    build_city_data(city=city, units=[doit, department], n_targets=2, dataset=Dataset.DEMO)
    official = docx_tables(run(tmp_path, "--city", "TC", "--period", "2025-Q4", "--format",
                               "docx"))
    assert {row[4] for t in table_with(official, *TARGET_HEADINGS) for row in t[1:]} == {"–"}
    demo = run(tmp_path, "--city", "TC", "--period", "2025-Q4", "--format", "docx",
               "--dataset", "demo")
    assert BANNER in docx_text(demo)
    pages = pdf_pages(run(tmp_path, "--city", "TC", "--period", "2025-Q4", "--format", "pdf",
                          "--dataset", "demo"))
    assert len(pages) > 1 and all(BANNER in page for page in pages)


def test_targets_behind_are_listed_with_their_responsible_units(tmp_path, city_data):
    tables = docx_tables(run(tmp_path, "--city", "TC", "--period", "2025-Q4", "--format", "docx"))
    behind = table_with(tables, "Đơn vị chịu trách nhiệm")[0]
    # build_city_data: target i has the status STATUSES[i % 4] and the unit units[i % 3]; of
    # targets 0-5 the behind ones are 2 (missed, Quận 1) and 3 (deteriorating, DOIT).
    assert sorted((row[5], row[6]) for row in behind[1:]) == [
        ("Không đạt (quá hạn)", "Quận 1"), ("Đang đi xuống", "Sở Thông tin và Truyền thông")]


@pytest.mark.parametrize(("args", "message"), [
    (["--city", "XX", "--period", "2025-Q4"], "Không có thành phố"),
    (["--city", "TC", "--period", "2031-Q1"], "Không có kỳ báo cáo"),
])
def test_bad_arguments_are_refused_in_vietnamese(tmp_path, city_data, args, message):
    with pytest.raises(CommandError, match=message):
        run(tmp_path, *args)


def test_query_count_does_not_grow_with_the_data(city, doit, department, district,
                                                  django_assert_num_queries):
    from leaders.selectors import city_report
    from tests.factories import UnitFactory

    small = build_city_data(city=city, units=[doit, department], n_targets=3)
    period = Period.objects.get(pk=small.periods[-1].pk)
    with django_assert_num_queries(6):
        city_report(city=city, period=period, dataset=Dataset.OFFICIAL)
    extra = [UnitFactory(code=f"TC-Z{i}", parent=city) for i in range(6)]
    build_city_data(city=city, units=[district, *extra], n_targets=20, plan_code="tc-big")
    with django_assert_num_queries(6):
        city_report(city=city, period=period, dataset=Dataset.OFFICIAL)


def test_a_target_without_figures_keeps_its_placeholder_verdict_in_an_earlier_period(
    tmp_path, city, city_data,
):
    from django.utils import timezone

    from attainment.models import Scope, TargetAttainment
    from tests.factories import IndicatorFactory, PeriodFactory, TargetFactory

    # The engine's row for a target without figures is dated today's quarter, after the report.
    target = TargetFactory(plan=city_data.plan, code="no-base",
                           indicator=IndicatorFactory(code="no-base", name_vi="Thủ tục cắt giảm"))
    TargetAttainment.objects.create(
        dataset=Dataset.OFFICIAL, target=target, scope=Scope.COMBINED, unit=city,
        period=PeriodFactory(year=2026, quarter=4), is_latest=True, n_observations=0,
        status=Status.BASELINE_NEEDED, computed_at=timezone.now(),
    )
    tables = docx_tables(run(tmp_path, "--city", "TC", "--period", "2025-Q4", "--format", "docx"))
    assert report_rows(tables) == dashboard_rows(city, Dataset.OFFICIAL)
    rows = [row for t in table_with(tables, *TARGET_HEADINGS) for row in t[1:]]
    assert [row[7] for row in rows if row[0] == "Thủ tục cắt giảm"] == ["Cần giá trị gốc"]
