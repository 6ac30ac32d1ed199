"""API clients for the named cast, holding tokens as a machine client would, and a small
catalogue: one plan of the test city with targets on two pillars and two years."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from api.services import api_token_issue
from targets.models import Comparator, Measure, NationalIndicator
from tests.factories import (
    IndicatorFactory,
    PeriodFactory,
    PillarFactory,
    PlanFactory,
    TargetFactory,
)


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    # Throttle counters live in the cache; every test starts with a clean allowance.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def anon_client():
    return APIClient()


@pytest.fixture
def token_client():
    """token_client(user, can_write=False) -> APIClient sending that user's new token."""

    def _client(user, *, can_write: bool = False, language: str | None = None):
        token, key = api_token_issue(user=user, name=f"{user.username} system",
                                     can_write=can_write)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        if language:
            client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
        client.token = token
        return client

    return _client


@pytest.fixture
def catalogue(city, department, district):
    """Plan 'tc-plan' with targets on digital government (2025, 2030) and economy (2025)."""
    gov = PillarFactory(code="digital_government", name_vi="Chính quyền số",
                        name_en="Digital government", order=1)
    eco = PillarFactory(code="digital_economy", name_vi="Kinh tế số",
                        name_en="Digital economy", order=2)
    national = NationalIndicator.objects.create(
        code="dvc-4", name_vi="Tỷ lệ dịch vụ công trực tuyến mức độ 4",
        name_en="Share of level-4 online public services",
    )
    online = IndicatorFactory(code="online-services", pillar=gov, national_indicator=national,
                              name_vi="Tỷ lệ dịch vụ công trực tuyến",
                              name_en="Online public services", measure=Measure.PERCENT)
    datasets = IndicatorFactory(code="open-datasets", pillar=gov, measure=Measure.COUNT,
                                name_vi="Bộ dữ liệu mở", name_en="Open datasets")
    gdp = IndicatorFactory(code="digital-gdp", pillar=eco, measure=Measure.PERCENT,
                           name_vi="Kinh tế số trong GRDP", name_en="Digital economy in GRDP")
    plan = PlanFactory(code="tc-plan", city=city, title_vi="Kế hoạch chuyển đổi số",
                       title_en="Digital transformation plan", issued_on=date(2021, 5, 3))
    targets = {
        "online-2025": TargetFactory(plan=plan, code="online-2025", indicator=online,
                                     year=2025, value=Decimal("80"),
                                     responsible=[department]),
        "online-2030": TargetFactory(plan=plan, code="online-2030", indicator=online,
                                     year=2030, value=Decimal("100"),
                                     responsible=[department]),
        "datasets-2025": TargetFactory(plan=plan, code="datasets-2025", indicator=datasets,
                                       year=2025, value=Decimal("50"),
                                       comparator=Comparator.AT_LEAST,
                                       responsible=[district]),
        "gdp-2025": TargetFactory(plan=plan, code="gdp-2025", indicator=gdp, year=2025,
                                  value=Decimal("20"), responsible=[department]),
    }
    periods = {
        "2025-Q1": PeriodFactory(year=2025, quarter=1),
        "2025-Q2": PeriodFactory(year=2025, quarter=2),
    }
    return {"plan": plan, "pillars": {"gov": gov, "eco": eco}, "national": national,
            "indicators": {"online": online, "datasets": datasets, "gdp": gdp},
            "targets": targets, "periods": periods}
