"""The cross-city comparison on the seeded plans: like for like (issue 10 item 8).

One section per definition (an indicator at a level) under a national indicator: different
measures or definitions never share an axis, every city's targets show, and each latest
value names its period.
"""

import json

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from attainment.models import Dataset, Scope, Status, TargetAttainment
from reporting.periods import period_ensure
from targets.models import NationalIndicator, Target
from tests.factories import UserFactory


@pytest.fixture
def reader(client, seeded_module, db):
    # A superuser reads every city, so every target of the comparison is a link.
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def _compare(client, code: str):
    national = NationalIndicator.objects.get(code=code)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("dashboards:compare"), {"indicator": national.pk})
    assert response.status_code == 200
    return response


def _groups(response) -> dict[str, list[tuple[str, str, int]]]:
    return {
        group.key: [(row.city.code, row.target.code, row.target.year) for row in group.rows]
        for group in response.context["data"].groups
    }


def test_open_data_splits_agencies_datasets_and_the_milestone(reader):
    response = _compare(reader, "N749-OPEN-DATA")

    groups = _groups(response)
    assert groups == {
        "open-data-agencies-city": [("DN", "open-data-agencies-2025", 2025)],
        "open-data-release-city": [("CT", "open-data-release-2030", 2030)],
        "open-datasets-city": [("DN", "open-datasets-2025", 2025),
                               ("DN", "open-datasets-2030", 2030)],
    }
    html = response.content.decode()
    # Đà Nẵng's 100 % 2025 target is drawn on its own axis, not dropped behind the datasets.
    chart = next(c for c in response.context["charts"]
                 if c.id == "comparison-open-data-agencies-city")
    figure = json.loads(chart.figure_json())
    target_bar = next(t for t in figure["data"] if t["name"] == "Target 2025")
    assert target_bar["y"] == [100.0]
    assert figure["layout"]["yaxis"]["title"]["text"] == "%"
    datasets = next(c for c in response.context["charts"]
                    if c.id == "comparison-open-datasets-city")
    assert json.loads(datasets.figure_json())["layout"]["yaxis"]["title"]["text"] == "count"
    # A milestone has no axis at all: its state is in the section's table.
    assert not any(c.id == "comparison-open-data-release-city"
                   for c in response.context["charts"])
    assert 'data-testid="compare-status-open-data-release-city"' in html


@pytest.mark.parametrize(("code", "apart"), [
    # Hải Phòng's central area and the others' residential areas are different definitions.
    ("N749-MOBILE-5G", {"mobile-5g-coverage-central-city": {"HP"},
                        "mobile-5g-coverage-city": {"CT", "DN"}}),
    # Working-age people and the whole population likewise.
    ("N749-SMARTPHONE", {"smartphone-use-working-age-city": {"DN"},
                         "smartphone-use-city": {"CT", "DN", "HP"}}),
    ("N749-DIGITAL-ID", {"eid-accounts-city": {"DN"}, "eid-dvc-users-city": {"CT"},
                         "digital-identity-qr-city": {"CT"}}),
])
def test_different_definitions_never_share_an_axis(reader, code, apart):
    response = _compare(reader, code)

    groups = _groups(response)
    assert {key: {c for c, _t, _y in rows} for key, rows in groups.items()} == apart
    for chart in response.context["charts"]:
        indicators = {
            row.target.indicator_id for group in response.context["data"].groups
            if chart.id.endswith(group.key) for row in group.rows
        }
        assert len(indicators) == 1, chart.id


def test_levels_are_separate_definitions(reader):
    groups = _groups(_compare(reader, "N749-WORK-RECORDS"))

    assert list(groups) == ["work-records-online-city", "work-records-online-district",
                            "work-records-online-commune"]
    assert {c for c, _t, _y in groups["work-records-online-district"]} == {"CT", "HP"}


def test_every_target_of_every_national_indicator_shows(reader):
    for national in NationalIndicator.objects.all():
        response = _compare(reader, national.code)
        shown = sorted(row.target.pk for row in response.context["data"].rows)
        expected = sorted(Target.objects.filter(indicator__national_indicator=national)
                          .values_list("pk", flat=True))
        assert shown == expected, national.code


def test_each_latest_value_names_its_period(reader):
    q3 = period_ensure(kind="quarter", year=2025, quarter=3)
    q1 = period_ensure(kind="quarter", year=2026, quarter=1)
    for code, period, value in (("mobile-5g-coverage-2025", q3, 42.0),
                                ("mobile-5g-coverage-2030", q1, 61.0)):
        target = Target.objects.get(plan__code="dn-dx-resolution-2025-2030", code=code)
        TargetAttainment.objects.create(
            dataset=Dataset.OFFICIAL, target=target, scope=Scope.COMBINED,
            unit=target.plan.city, period=period, is_latest=True, actual_value=value,
            status=Status.ON_TRACK, computed_at=timezone.now())

    response = _compare(reader, "N749-MOBILE-5G")

    chart = next(c for c in response.context["charts"]
                 if c.id == "comparison-mobile-5g-coverage-city")
    latest = next(t for t in json.loads(chart.figure_json())["data"]
                  if t["name"] == "Latest value")
    by_city = dict(zip(latest["x"], zip(latest["y"], latest["customdata"], strict=True),
                       strict=True))
    assert by_city["Da Nang City"] == (61.0, "Q1/2026")
    html = response.content.decode()
    assert "Q3/2025" in html and "Q1/2026" in html
    assert "Period of the latest value" in html


def test_the_comparison_speaks_vietnamese_by_default(reader):
    national = NationalIndicator.objects.get(code="N749-OPEN-DATA")
    html = reader.get(reverse("dashboards:compare"), {"indicator": national.pk}).content.decode()

    assert "Kỳ của giá trị mới nhất" in html
    assert "đo bằng" in html


def test_each_city_value_carries_its_coverage(reader):
    # A combined value formed by 3 of the 9 units owing it is partial: the comparison says so.
    period = period_ensure(kind="quarter", year=2026, quarter=1)
    target = Target.objects.get(plan__code="dn-dx-resolution-2025-2030",
                                code="mobile-5g-coverage-2030")
    TargetAttainment.objects.create(
        dataset=Dataset.OFFICIAL, target=target, scope=Scope.COMBINED, unit=target.plan.city,
        period=period, is_latest=True, actual_value=61.0, status=Status.INCOMPLETE_DATA,
        units_reported=3, units_expected=9, computed_at=timezone.now())

    response = _compare(reader, "N749-MOBILE-5G")

    chart = next(c for c in response.context["charts"]
                 if c.id == "comparison-mobile-5g-coverage-city")
    headers = [str(c.label) for c in chart.table.columns]
    assert headers[-2:] == ["Units reported", "Units expected"]
    row = next(r for r in chart.table.rows if (r[0].value, r[2].value) == ("Da Nang City", "2030"))
    assert [row[-2].value, row[-1].value] == [3, 9]
