"""The real fixtures, loaded by `manage.py load_seed`, hold the five documents' numbers exactly.

Each expected row is (target code, year, level, comparator, value, words of the text that the
target's source sentence must contain), checked against the seed texts in ../shared/seeds.
"""
# The expectation tables keep one target per line so they read like the documents' lists.
# ruff: noqa: E501

from decimal import Decimal

import pytest

from reporting.models import ApprovedFigure, FigureOrigin
from targets.models import Comparator, Indicator, Level, Plan, Target
from units.models import Unit, UnitKind

D = Decimal
AT_LEAST, MORE_THAN, TOP_N = Comparator.AT_LEAST, Comparator.MORE_THAN, Comparator.TOP_N
REDUCE_BY, INCREASE_BY, MILESTONE = Comparator.REDUCE_BY, Comparator.INCREASE_BY, Comparator.MILESTONE
CITY, DISTRICT, COMMUNE = Level.CITY, Level.DISTRICT, Level.COMMUNE


def check_targets(plan_code: str, expected: list[tuple]) -> None:
    targets = {t.code: t for t in Target.objects.filter(plan__code=plan_code)}
    for code, year, level, comparator, value, words in expected:
        target = targets[code]
        assert (target.year, target.level, target.comparator, target.value) == (
            year, level, comparator, None if value is None else D(value)
        ), code
        assert words in target.source_sentence, code


def test_load_seed_reports_every_row_it_created(seeded):
    assert "targets.Plan: 4 tạo mới" in seeded
    assert "targets.Target: 134 tạo mới" in seeded
    assert "reporting.ApprovedFigure: 21 tạo mới" in seeded
    assert "units.Unit: 64 tạo mới" in seeded


# ------------------------------------------------------------------ 000: Cần Thơ to 2025 / 2030

CT_2025_2030 = [
    ("dti-rank-2025", 2025, CITY, TOP_N, 10, "thuộc nhóm 10 tỉnh, thành phố"),
    ("dvc-online-level4-2025", 2025, CITY, AT_LEAST, 80, "80% dịch vụ công trực tuyến mức độ 4"),
    ("records-online-l34-2025", 2025, CITY, AT_LEAST, 50, "đạt tối thiểu 50%"),
    ("work-records-online-2025-city", 2025, CITY, AT_LEAST, 90, "90% hồ sơ công việc tại cấp thành phố"),
    ("work-records-online-2025-district", 2025, DISTRICT, AT_LEAST, 80, "80% hồ sơ công việc tại cấp huyện"),
    ("work-records-online-2025-commune", 2025, COMMUNE, AT_LEAST, 60, "60% hồ sơ công việc tại cấp xã"),
    ("inspections-digital-2025", 2025, CITY, AT_LEAST, 50, "50% hoạt động kiểm tra"),
    ("meetings-online-2025-city", 2025, CITY, AT_LEAST, 100, "100% cuộc họp của Ủy ban nhân dân thành phố"),
    ("meetings-online-2025-district", 2025, DISTRICT, AT_LEAST, 80, "80% cuộc họp của Ủy ban nhân dân cấp huyện"),
    ("de-grdp-share-2025", 2025, CITY, AT_LEAST, 20, "Kinh tế số chiếm 20% GRDP"),
    ("labour-productivity-growth-2025", 2025, CITY, AT_LEAST, 7, "tăng tối thiểu 7%"),
    ("de-sector-share-2025", 2025, CITY, AT_LEAST, 10, "đạt tối thiểu 10%"),
    ("fibre-households-2025", 2025, CITY, MORE_THAN, 90, "trên 90% hộ gia đình"),
    ("fibre-communes-2025", 2025, CITY, AT_LEAST, 100, "100% xã, phường, thị trấn"),
    ("epayment-accounts-2025", 2025, CITY, MORE_THAN, 50, "trên 50%"),
    ("ehealth-records-2025", 2025, CITY, AT_LEAST, 100, "Mỗi người dân đều có hồ sơ số về sức khỏe"),
    ("dvc-online-level4-2030", 2030, CITY, AT_LEAST, 100, "100% dịch vụ công trực tuyến mức độ 4"),
    ("records-online-l34-2030", 2030, CITY, AT_LEAST, 80, "đạt tối thiểu 80%"),
    ("work-records-online-2030-city", 2030, CITY, AT_LEAST, 100, "100% hồ sơ công việc tại cấp thành phố"),
    ("work-records-online-2030-district", 2030, DISTRICT, AT_LEAST, 90, "90% hồ sơ công việc tại cấp huyện"),
    ("work-records-online-2030-commune", 2030, COMMUNE, AT_LEAST, 80, "80% hồ sơ công việc tại cấp xã"),
    ("smart-city-data-platform-2030", 2030, CITY, MILESTONE, None, "Hình thành đầy đủ nền tảng dữ liệu"),
    ("tthc-existing-2030", 2030, CITY, REDUCE_BY, 30, "Giảm 30% thủ tục hành chính"),
    ("data-driven-services-2030", 2030, CITY, INCREASE_BY, 30, "tăng 30% dịch vụ sáng tạo"),
    ("inspections-digital-2030", 2030, CITY, AT_LEAST, 70, "70% hoạt động kiểm tra"),
    ("de-grdp-share-2030", 2030, CITY, AT_LEAST, 30, "Kinh tế số chiếm 30% GRDP"),
    ("de-sector-share-2030", 2030, CITY, AT_LEAST, 20, "đạt tối thiểu 20%"),
    ("labour-productivity-growth-2030", 2030, CITY, AT_LEAST, 8, "tăng tối thiểu 8%"),
    ("fibre-households-2030", 2030, CITY, AT_LEAST, 100, "Phổ cập dịch vụ mạng Internet băng rộng"),
    ("mobile-5g-coverage-2030", 2030, CITY, AT_LEAST, 100, "Phổ cập dịch vụ mạng di động 5G"),
    ("epayment-accounts-2030", 2030, CITY, MORE_THAN, 80, "trên 80%"),
]


def test_can_tho_plan_to_2025_and_2030(seeded):
    plan = Plan.objects.get(code="ct-dx-2025-2030")
    assert plan.city.code == "CT"
    assert plan.source_file.startswith("000_")
    assert plan.horizon_years == [2025, 2030]
    assert any("749/QĐ-TTg" in basis for basis in plan.legal_basis)
    assert any("02-NQ/TU" in basis for basis in plan.legal_basis)
    assert plan.targets.count() == 51
    assert plan.targets.filter(year=2025).count() == 35
    assert plan.targets.filter(year=2030).count() == 16
    assert plan.targets.filter(comparator=MILESTONE).count() == 7
    check_targets("ct-dx-2025-2030", CT_2025_2030)


def test_qualitative_targets_of_can_tho_keep_a_measurable_reading(seeded):
    for code in ("ehealth-records-2025", "digital-identity-qr-2025", "mobile-4g5g-coverage-2025",
                 "student-digital-records-2025", "telehealth-facilities-2025"):
        target = Target.objects.get(plan__code="ct-dx-2025-2030", code=code)
        assert target.value == D(100), code
        assert target.reading_vi and target.reading_en, code
    hospital = Target.objects.get(plan__code="ct-dx-2025-2030", code="emr-hospitals-2025")
    assert hospital.level == Level.HOSPITAL


def test_district_targets_fall_on_every_district_of_can_tho_that_existed(seeded):
    target = Target.objects.get(plan__code="ct-dx-2025-2030", code="work-records-online-2025-district")
    responsible = set(target.responsible_units.values_list("code", flat=True))
    assert responsible == set(
        Unit.objects.filter(city__code="CT", kind=UnitKind.DISTRICT).values_list("code", flat=True)
    )
    assert len(responsible) == 9
    assert {"CT-Q-BINHTHUY", "CT-H-PHONGDIEN", "CT-Q-OMON", "CT-H-VINHTHANH"} <= responsible


# ------------------------------------------------------------------ 001: Cần Thơ progress, 2023


def figure(indicator: str, unit: str, period: str) -> ApprovedFigure:
    return ApprovedFigure.objects.get(
        indicator__code=indicator, unit__code=unit, period__year=int(period[:4]),
        period__quarter=int(period[-1]) if "-Q" in period else None,
        origin=FigureOrigin.DOCUMENT, superseded_at__isnull=True,
    )


@pytest.mark.parametrize(("indicator", "unit", "numerator", "denominator", "words"), [
    ("key-tasks-done", "CT", 9, 33, "hoàn thành 9/33"),
    ("key-tasks-in-progress", "CT", 24, 33, "đang thực hiện 24/33"),
    ("agencies-key-task-plans", "CT", 9, 24, "09/24 cơ quan"),
    ("admin-reform-tasks-implemented", "CT", 42, 68, "42/68 nhiệm vụ"),
    ("stem-schools", "CT-Q-OMON", 25, 25, "25/25 cơ sở giáo dục"),
    ("public-wifi-hamlets", "CT-H-VINHTHANH", 54, 54, "54/54 ấp"),
])
def test_progress_fractions_keep_numerator_and_denominator(seeded, indicator, unit, numerator,
                                                            denominator, words):
    row = figure(indicator, unit, "2023-Q3")
    assert (row.numerator, row.denominator) == (D(numerator), D(denominator))
    assert words in row.source_sentence
    assert row.source_file.startswith("001_")
    assert Indicator.objects.get(code=indicator).fraction is True


def test_dti_rank_2022_and_the_derived_rank_2021(seeded):
    rank_2022 = figure("dti-rank", "CT", "2022")
    assert (rank_2022.value, rank_2022.denominator, rank_2022.derived) == (D(5), D(63), False)
    assert "hạng 5/63" in rank_2022.source_sentence
    rank_2021 = figure("dti-rank", "CT", "2021")
    assert (rank_2021.value, rank_2021.denominator, rank_2021.derived) == (D(15), D(63), True)
    assert "tăng 10 bậc so với năm 2021" in rank_2021.source_sentence
    assert Indicator.objects.get(code="dti-rank").direction == "lower"


def test_procedures_simplified_and_money_saved(seeded):
    assert figure("tthc-simplified", "CT", "2023-Q3").value == D(7)
    assert figure("tthc-simplification-plan-completion", "CT", "2023-Q3").value == D(100)
    savings = figure("tthc-simplification-savings", "CT", "2023-Q3")
    assert savings.value == D(593_000_000)
    assert "593 triệu đồng" in savings.source_sentence
    assert Indicator.objects.get(code="tthc-simplification-savings").measure == "money_vnd"
    standardised = figure("social-protection-data-standardised", "CT-SLDTBXH", "2023-Q3")
    assert standardised.value == D(100)


def test_progress_news_figures_are_all_document_figures_with_milestones(seeded):
    rows = ApprovedFigure.objects.all()
    assert rows.count() == 21
    assert set(rows.values_list("origin", flat=True)) == {FigureOrigin.DOCUMENT}
    assert all(r.source_file.startswith("001_") for r in rows)
    assert figure("staff-management-system", "CT-SNV", "2023-Q3").milestone_state == "done"
    assert figure("ioc-pilot", "CT-Q-BINHTHUY", "2023-Q3").milestone_state == "in_progress"
    assert figure("ioc-pilot", "CT-H-PHONGDIEN", "2023-Q3").milestone_state == "in_progress"


# ------------------------------------------------------------------ 002: Hải Phòng

HAI_PHONG = [
    ("dg-index-rank-2025", 2025, CITY, TOP_N, 15, "nhóm 15 tỉnh, thành phố đứng đầu"),
    ("dvc-online-level4-2025", 2025, CITY, AT_LEAST, 80, "80% dịch vụ công trực tuyến mức độ 4"),
    ("work-records-online-2025-city", 2025, CITY, AT_LEAST, 90, "90% hồ sơ công việc tại cấp thành phố"),
    ("work-records-online-2025-district", 2025, DISTRICT, AT_LEAST, 80, "80% công việc tại cấp huyện"),
    ("work-records-online-2025-commune", 2025, COMMUNE, AT_LEAST, 60, "60% hồ sơ công việc tại cấp xã"),
    ("reports-online-2025", 2025, CITY, AT_LEAST, 100, "100% báo cáo định kỳ"),
    ("inspections-digital-2025", 2025, CITY, AT_LEAST, 50, "50% hoạt động kiểm tra"),
    ("de-grdp-share-2025", 2025, CITY, AT_LEAST, 20, "kinh tế số chiếm 20% GRDP"),
    ("de-sector-share-2025", 2025, CITY, AT_LEAST, 10, "đạt tối thiểu 10%"),
    ("labour-productivity-growth-2025", 2025, CITY, AT_LEAST, 7, "tăng tối thiểu 7%"),
    ("mobile-5g-coverage-central-2025", 2025, CITY, AT_LEAST, 100, "5G khu vực trung tâm"),
    ("epayment-accounts-2025", 2025, CITY, MORE_THAN, 50, "đạt trên 50%"),
]


def test_hai_phong_plan(seeded):
    plan = Plan.objects.get(code="hp-dx-2025-2030")
    assert plan.city.code == "HP"
    assert plan.source_file.startswith("002_")
    assert plan.targets.count() == 17
    check_targets("hp-dx-2025-2030", HAI_PHONG)


# ------------------------------------------------------------------ 003: Đà Nẵng

DA_NANG = [
    ("dti-rank-2025", 2025, CITY, TOP_N, 3, "nhóm 3 địa phương"),
    ("infosec-rank-2025", 2025, CITY, TOP_N, 1, "an toàn thông tin"),
    ("dvc-online-level4-2025", 2025, CITY, AT_LEAST, 100, "100% dịch vụ hành chính công trực tuyến"),
    ("public-nonbusiness-services-online-l34-2025", 2025, CITY, AT_LEAST, 60, "60% dịch vụ sự nghiệp công"),
    ("tthc-existing-2025", 2025, CITY, REDUCE_BY, 20, "giảm 20% thủ tục hành chính"),
    ("de-grdp-share-2025", 2025, CITY, AT_LEAST, 20, "tối thiểu 20% GRDP"),
    ("ict-industry-grdp-share-2025", 2025, CITY, AT_LEAST, 10, "tối thiểu 10% GRDP"),
    ("open-datasets-2025", 2025, CITY, AT_LEAST, 1000, "1.000 bộ dữ liệu mở"),
    ("digital-tech-enterprises-per-1000-2025", 2025, CITY, AT_LEAST, 3, "3 doanh nghiệp công nghệ số/1.000 dân"),
    ("large-digital-enterprises-2025", 2025, CITY, AT_LEAST, 5, "ít nhất 5 doanh nghiệp"),
    ("digital-skills-2025", 2025, CITY, AT_LEAST, 90, "90% người dân, doanh nghiệp"),
    ("mobile-5g-coverage-2025", 2025, CITY, AT_LEAST, 50, "50% khu vực dân cư"),
    ("public-nonbusiness-services-online-l34-2030", 2030, CITY, AT_LEAST, 90, "90% dịch vụ sự nghiệp công"),
    ("tthc-existing-2030", 2030, CITY, REDUCE_BY, 30, "giảm 30% thủ tục hành chính"),
    ("inspections-digital-2030", 2030, CITY, AT_LEAST, 70, "70% hoạt động kiểm tra"),
    ("de-grdp-share-2030", 2030, CITY, AT_LEAST, 30, "tối thiểu 30% GRDP"),
    ("ict-industry-grdp-share-2030", 2030, CITY, AT_LEAST, 15, "tối thiểu 15% GRDP"),
    ("open-datasets-2030", 2030, CITY, AT_LEAST, 5000, "5.000 bộ dữ liệu mở"),
    ("digital-tech-enterprises-per-1000-2030", 2030, CITY, AT_LEAST, 5, "5 doanh nghiệp công nghệ số/1.000 dân"),
    ("large-digital-enterprises-2030", 2030, CITY, AT_LEAST, 10, "ít nhất 10 doanh nghiệp"),
    ("smartphone-use-2030", 2030, CITY, AT_LEAST, 90, "90% người dân sử dụng điện thoại thông minh"),
    ("digital-skills-2030", 2030, CITY, AT_LEAST, 95, "95% người dân, doanh nghiệp"),
    ("ecommerce-accounts-households-2030", 2030, CITY, AT_LEAST, 80, "80% hộ gia đình"),
    ("ecommerce-accounts-enterprises-2030", 2030, CITY, AT_LEAST, 100, "100% doanh nghiệp có tài khoản"),
    ("mobile-5g-coverage-2030", 2030, CITY, AT_LEAST, 100, "100% khu vực dân cư"),
    ("dg-basic-complete-units-2030-district", 2030, DISTRICT, AT_LEAST, 100, "100% quận, huyện"),
    ("dg-basic-complete-units-2030-commune", 2030, COMMUNE, AT_LEAST, 100, "phường, xã"),
]


def test_da_nang_resolution(seeded):
    plan = Plan.objects.get(code="dn-dx-resolution-2025-2030")
    assert plan.city.code == "DN"
    assert plan.source_file.startswith("003_")
    assert plan.targets.count() == 49
    assert plan.targets.filter(comparator=TOP_N).count() == 6
    check_targets("dn-dx-resolution-2025-2030", DA_NANG)
    assert Indicator.objects.get(code="digital-tech-enterprises-per-1000").measure == "rate_per_1000"


# ------------------------------------------------------------------ 004: Cần Thơ 11/KH-UBND, 2021

CT_2021 = [
    ("tthc-online-l34-2021", 2021, CITY, AT_LEAST, 65, "Tối thiểu 65% thủ tục hành chính"),
    ("dvc-online-level4-2021", 2021, CITY, AT_LEAST, 35, "tối thiểu 35% dịch vụ công trực tuyến"),
    ("dvc-integrated-national-portal-2021", 2021, CITY, AT_LEAST, 30, "30% dịch vụ công trực tuyến tích hợp"),
    ("records-online-l34-2021", 2021, CITY, AT_LEAST, 25, "Tối thiểu 25% hồ sơ"),
    ("tthc-satisfaction-2021", 2021, CITY, AT_LEAST, 90, "90% trở lên"),
    ("work-records-online-2021-city", 2021, CITY, AT_LEAST, 85, "85% hồ sơ công việc tại cấp thành phố"),
    ("work-records-online-2021-district", 2021, DISTRICT, AT_LEAST, 65, "65% hồ sơ công việc tại cấp huyện"),
    ("work-records-online-2021-commune", 2021, COMMUNE, AT_LEAST, 35, "35% hồ sơ công việc tại cấp xã"),
    ("reports-online-2021", 2021, CITY, AT_LEAST, 100, "100% Báo cáo định kỳ"),
    ("systems-connected-lgsp-2021", 2021, CITY, AT_LEAST, 20, "20% hệ thống thông tin"),
    ("shared-db-connected-2021", 2021, CITY, AT_LEAST, 20, "20% cơ sở dữ liệu dùng chung"),
    ("it-staff-trained-2021", 2021, CITY, AT_LEAST, 80, "80% CBCCVC"),
    ("infosec-level-dossiers-2021", 2021, CITY, AT_LEAST, 95, "95% hồ sơ hệ thống thông tin"),
    ("antimalware-coverage-2021", 2021, CITY, AT_LEAST, 100, "100% máy chủ, máy trạm"),
    ("firewall-antimalware-endpoints-2021-department", 2021, Level.DEPARTMENT, AT_LEAST, 100, "sở, ban ngành"),
]


def test_can_tho_plan_11_kh_ubnd_2021(seeded):
    plan = Plan.objects.get(code="ct-dg-2021")
    assert plan.document_number == "11/KH-UBND"
    assert plan.city.code == "CT"
    assert plan.source_file.startswith("004_")
    assert plan.targets.count() == 17
    assert set(plan.targets.values_list("year", flat=True)) == {2021}
    assert set(plan.targets.values_list("comparator", flat=True)) == {AT_LEAST}
    check_targets("ct-dg-2021", CT_2021)
    pillars = set(plan.targets.values_list("indicator__pillar__code", flat=True))
    assert {"information_security", "human_resources", "platforms_data"} <= pillars


def test_work_records_by_level_compare_across_cities_through_one_national_indicator(seeded):
    rows = Target.objects.filter(indicator__code="work-records-online").values_list(
        "plan__city__code", "year", "level", "value", "indicator__national_indicator__code"
    )
    assert {r[4] for r in rows} == {"N749-WORK-RECORDS"}
    values = {(city, year, level): value for city, year, level, value, _ in rows}
    assert values[("CT", 2021, COMMUNE)] == D(35)
    assert values[("CT", 2025, COMMUNE)] == D(60)
    assert values[("HP", 2025, COMMUNE)] == D(60)
    assert values[("CT", 2030, COMMUNE)] == D(80)
