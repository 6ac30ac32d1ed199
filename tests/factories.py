"""factory_boy factories for bulk test data. Named users live in tests/conftest.py."""

from datetime import date
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from attainment.models import Dataset, Scope, Status, TargetAttainment
from reporting.models import (
    ApprovedFigure,
    FigureOrigin,
    Period,
    PeriodKind,
    Report,
    ReportLine,
    ReportState,
)
from targets.models import Comparator, Indicator, Level, Measure, Pillar, PillarKind, Plan, Target
from units.models import Membership, Role, Unit, UnitKind


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.gov.vn")
    password = factory.django.Password("pass-1234")


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"C{n}")
    kind = UnitKind.PROVINCE
    name_vi = factory.LazyAttribute(lambda o: f"Thành phố {o.code}")
    name_en = factory.LazyAttribute(lambda o: f"{o.code} City")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"U{n}")
    kind = UnitKind.DEPARTMENT
    parent = factory.SubFactory(CityFactory)
    name_vi = factory.LazyAttribute(lambda o: f"Đơn vị {o.code}")
    name_en = factory.LazyAttribute(lambda o: f"Unit {o.code}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(UnitFactory)
    role = Role.REPORTER


class PillarFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pillar
        django_get_or_create = ("code",)

    code = "digital_government"
    kind = PillarKind.PILLAR
    name_vi = "Chính quyền số"
    name_en = "Digital government"


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"indicator-{n}")
    pillar = factory.SubFactory(PillarFactory)
    name_vi = factory.LazyAttribute(lambda o: f"Chỉ tiêu {o.code}")
    name_en = factory.LazyAttribute(lambda o: f"Indicator {o.code}")
    measure = Measure.PERCENT


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"plan-{n}")
    city = factory.SubFactory(CityFactory)
    title_vi = factory.LazyAttribute(lambda o: f"Kế hoạch {o.code}")
    title_en = factory.LazyAttribute(lambda o: f"Plan {o.code}")
    issuing_body_vi = "Ủy ban nhân dân thành phố"
    issuing_body_en = "City People's Committee"
    horizon_years = [2025, 2030]


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target
        # The hook only sets the M2M; the target itself needs no second save.
        skip_postgeneration_save = True

    plan = factory.SubFactory(PlanFactory)
    code = factory.Sequence(lambda n: f"target-{n}")
    indicator = factory.SubFactory(IndicatorFactory)
    year = 2025
    level = Level.CITY
    comparator = Comparator.AT_LEAST
    value = Decimal("80")
    source_sentence = "80% dịch vụ công trực tuyến mức độ 4"
    source_file = "test.txt"

    @factory.post_generation
    def responsible(self, create, extracted, **kwargs):
        if create and extracted:
            self.responsible_units.set(extracted)


class PeriodFactory(factory.django.DjangoModelFactory):
    """A quarter; pass year and quarter, the dates follow."""

    class Meta:
        model = Period
        django_get_or_create = ("kind", "year", "quarter")

    kind = PeriodKind.QUARTER
    year = 2024
    quarter = 1
    starts_on = factory.LazyAttribute(lambda o: date(o.year, 3 * (o.quarter - 1) + 1, 1))
    ends_on = factory.LazyAttribute(
        lambda o: date(o.year, 12, 31)
        if o.quarter == 4
        else date(o.year, 3 * o.quarter + 1, 1) - timezone.timedelta(days=1)
    )
    opens_on = factory.LazyAttribute(lambda o: o.ends_on - timezone.timedelta(days=14))
    deadline = factory.LazyAttribute(lambda o: o.ends_on + timezone.timedelta(days=15))


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report

    unit = factory.SubFactory(UnitFactory)
    period = factory.SubFactory(PeriodFactory)
    state = ReportState.DRAFT


class ReportLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportLine

    report = factory.SubFactory(ReportFactory)
    indicator = factory.SubFactory(IndicatorFactory)
    value = Decimal("50")


class ApprovedFigureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApprovedFigure

    indicator = factory.SubFactory(IndicatorFactory)
    unit = factory.SubFactory(UnitFactory)
    period = factory.SubFactory(PeriodFactory)
    value = Decimal("50")
    origin = FigureOrigin.REPORT
    approved_at = factory.LazyFunction(timezone.now)


class TargetAttainmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TargetAttainment

    dataset = Dataset.OFFICIAL
    target = factory.SubFactory(TargetFactory)
    scope = Scope.COMBINED
    unit = factory.LazyAttribute(lambda o: o.target.plan.city)
    period = factory.SubFactory(PeriodFactory)
    is_latest = True
    actual_value = 60.0
    attainment_pct = 75.0
    status = Status.NEEDS_ACCELERATION
    computed_at = factory.LazyFunction(timezone.now)
