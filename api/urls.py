from django.urls import include, path, re_path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework.routers import DefaultRouter

from api.exceptions import not_found
from api.views import catalogue, city_report, history, reports, results

app_name = "api"

router = DefaultRouter()
router.register("plans", catalogue.PlanViewSet, basename="plan")
router.register("pillars", catalogue.PillarViewSet, basename="pillar")
router.register("indicators", catalogue.IndicatorViewSet, basename="indicator")
router.register("national-indicators", catalogue.NationalIndicatorViewSet,
                basename="national-indicator")
router.register("targets", catalogue.TargetViewSet, basename="target")
router.register("units", catalogue.UnitViewSet, basename="unit")
router.register("periods", catalogue.PeriodViewSet, basename="period")
router.register("reports", reports.ReportViewSet, basename="report")
router.register("attainment", results.AttainmentViewSet, basename="attainment")
router.register("rollups", results.RollupViewSet, basename="rollup")
router.register("completeness", results.CompletenessViewSet, basename="completeness")
router.register("catalogue-changes", history.CatalogueChangeViewSet, basename="catalogue-change")
router.register("amendments", history.AmendmentViewSet, basename="amendment")
router.register("indicator-definitions", history.DefinitionViewSet,
                basename="indicator-definition")

urlpatterns = [
    path("v1/cities/<str:code>/report/<str:period>.<str:fmt>",
         city_report.CityReportView.as_view(), name="city-report"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Split: the start-up script is a file of its own, so the CSP needs no inline scripts.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    # Anything else under /api/ answers in the API's error format, not with an HTML page.
    re_path(r"^.*$", not_found, name="not-found"),
]
