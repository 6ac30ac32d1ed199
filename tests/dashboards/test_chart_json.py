"""The figures the pages embed are built as plain dicts (dashboards/charts.py); plotly itself
must read each one as it is: validating it through plotly.graph_objects and serialising it
again gives back exactly the same JSON, on every chart of every page of the demo world."""

import json
import re

import plotly.graph_objects as go
import pytest
from django.urls import reverse

from reporting.compliance import compliance_refresh
from targets.models import Measure, NationalIndicator, Target

pytestmark = pytest.mark.django_db

FIGURE = re.compile(r'<script type="application/json" id="fig-([^"]+)">(.*?)</script>', re.S)


def _figures(client, url: str) -> dict[str, dict]:
    response = client.get(url)
    assert response.status_code == 200, url
    return {m[1]: json.loads(m[2]) for m in FIGURE.finditer(response.content.decode())}


def _pages() -> list[str]:
    # One target of each measure (rank axes, milestones, money), the split targets (the
    # units chart), Cần Thơ's series break; every city, unit and comparison page.
    targets = {t.indicator.measure: t for t in Target.objects.select_related("indicator")}
    urls = [reverse("dashboards:target", args=[t.pk]) for t in targets.values()]
    urls += [reverse("dashboards:target", args=[t.pk])
             for t in Target.objects.filter(plan__city__code="CT").order_by("pk")[:5]]
    urls += [reverse(name, args=["CT"]) for name in ("dashboards:city", "dashboards:compliance")]
    urls += [reverse("dashboards:unit", args=["CT-SNV"]), reverse("dashboards:compare")]
    urls += [f"{reverse('dashboards:compare')}?indicator={pk}"
             for pk in NationalIndicator.objects.values_list("pk", flat=True)]
    assert Measure.MILESTONE in targets and Measure.RANK in targets
    return urls


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_embedded_figure_is_what_plotly_makes_of_it(client, demo, language):
    compliance_refresh(dataset="demo")  # the nightly job's records: the heatmap's cells
    client.force_login(demo("xem.quocgia"))
    client.cookies["django_language"] = language
    seen = set()
    for url in _pages():
        for chart_id, embedded in _figures(client, url).items():
            assert json.loads(go.Figure(embedded).to_json()) == embedded, (url, chart_id)
            seen.add(chart_id.split("-")[0])
    # every kind of chart the dashboards draw was checked
    assert {"pillars", "statuses", "results", "trajectory", "series", "units", "targets",
            "record", "compliance", "comparison"} <= seen
