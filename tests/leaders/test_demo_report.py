"""The demo city and period (Cần Thơ, 2026-Q3) as `make setup` leaves them: the command's .docx
and .pdf hold the city overview's figures, and every page says demo."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from attainment.models import Dataset
from reporting.periods import period_by_code
from tests.leaders.conftest import docx_tables, docx_text, pdf_pages, table_with
from tests.leaders.test_document import (
    BANNER,
    TARGET_HEADINGS,
    compliance_counts,
    dashboard_headlines,
    dashboard_rows,
    report_headlines,
    report_rows,
    run,
)
from units.models import Unit

pytestmark = pytest.mark.django_db


class _Rollback(Exception):
    pass


@pytest.fixture(scope="module")
def demo_module(django_db_setup, django_db_blocker):
    """Seed plans, demo reports and the demo dataset's results, rolled back after the module."""
    with django_db_blocker.unblock():
        try:
            with transaction.atomic():
                for command, args in (("load_seed", []), ("load_demo", []),
                                      ("recompute_attainment", [])):
                    call_command(command, *args, stdout=StringIO(), stderr=StringIO(),
                                 verbosity=0)
                yield
                raise _Rollback
        except _Rollback:
            pass


@pytest.fixture
def demo(demo_module, db):
    return Unit.objects.get(code="CT")


@pytest.fixture
def docx_body(demo, tmp_path):
    return run(tmp_path, "--city", "CT", "--period", "2026-Q3", "--format", "docx",
               "--dataset", "demo")


def test_docx_of_the_demo_city_holds_the_dashboards_figures(demo, docx_body):
    tables = docx_tables(docx_body)
    expected = dashboard_rows(demo, Dataset.DEMO)
    assert report_rows(tables) == expected
    assert sum(expected.values()) > 50  # every target of both Cần Thơ plans
    assert any(key[9] != "–" for key in expected)  # coverage of values combined over units
    assert report_headlines(tables) == dashboard_headlines(demo, Dataset.DEMO)
    compliance = table_with(tables, "Báo cáo", "Tỷ lệ")[0]
    assert {c[0]: c[1] for c in compliance[1:]} == compliance_counts(
        demo, Dataset.DEMO, period_by_code("2026-Q3"))
    assert BANNER in docx_text(docx_body)


def test_pdf_of_the_demo_city_holds_the_dashboards_figures_and_says_demo_on_every_page(
    demo, tmp_path,
):
    pages = pdf_pages(run(tmp_path, "--city", "CT", "--period", "2026-Q3", "--format", "pdf",
                          "--dataset", "demo"))
    assert len(pages) > 3 and all(BANNER in page for page in pages)
    squeezed = "".join("".join(pages).split())
    for key in dashboard_rows(demo, Dataset.DEMO):
        assert "".join("".join(key[1:9]).split()) in squeezed, key
    assert "ThànhphốCầnThơ" in squeezed and "Quý3/2026" in squeezed


def test_official_report_of_the_demo_city_shows_no_demo_figure(demo, tmp_path):
    body = run(tmp_path, "--city", "CT", "--period", "2026-Q3", "--format", "docx")
    assert BANNER not in docx_text(body)
    tables = docx_tables(body)
    assert report_rows(tables) == dashboard_rows(demo, Dataset.OFFICIAL)
    # The 2023 news article's figures (seed 001), each with its document and sentence.
    documents = table_with(tables, "Văn bản", "Câu trích từ văn bản")[0]
    assert len(documents) > 5
    assert all(row[4].startswith("001_") and row[5] != "–" for row in documents[1:])
    sources = {row[10] for t in table_with(tables, *TARGET_HEADINGS) for row in t[1:]}
    assert any(s.startswith("Văn bản 001_") for s in sources)
