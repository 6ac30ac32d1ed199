"""Dashboard pages: thin views over dashboards.selectors and dashboards.charts.

Every chart's numbers download with ``?export=<chart id>&format=csv|xlsx`` on the page's own
URL, so a download always carries the page's filters and dataset.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from attainment.models import Dataset, Status
from dashboards import charts, selectors
from dashboards.plotlyjs import plotly_js_url
from dashboards.tables import table_to_csv, table_to_xlsx
from leaders.selectors import downloadable_periods
from reporting.models import Timeliness
from reporting.selectors import compliance_matrix
from targets.models import Aggregation
from units.access import (
    EDIT_PLANS,
    READ_CITY,
    readable_cities,
    readable_city,
    readable_city_ids,
    readable_unit,
)

EXPORT_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def dataset_from_request(request) -> str:
    """The dataset asked for with ?dataset=, else the engine's default."""
    asked = request.GET.get("dataset")
    if asked in Dataset.values:
        return asked
    from attainment.selectors import default_dataset

    return default_dataset()


def method_url() -> str:
    """The attainment method page, which explains every status."""
    try:
        return reverse("attainment:method")
    except NoReverseMatch:  # the method page ships with the attainment app
        return ""


def _query(request, **changes) -> str:
    params = request.GET.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


def _export(request, chart_list: list, *, dataset: str, name: str) -> HttpResponse:
    chart_id, fmt = request.GET.get("export"), request.GET.get("format", "csv")
    chart = next((c for c in chart_list if c.id == chart_id), None)
    if chart is None or fmt not in EXPORT_FORMATS:
        raise Http404(_("No such chart or format."))
    is_demo = dataset == Dataset.DEMO
    if fmt == "csv":
        body = table_to_csv(chart.table, is_demo=is_demo)
    else:
        body = table_to_xlsx(chart.table, is_demo=is_demo, title=chart.title)
    suffix = "-demo" if is_demo else ""
    filename = f"{slugify(name)}-{chart.id}{suffix}.{fmt}"
    response = HttpResponse(body, content_type=EXPORT_FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _in_force(target) -> dict:
    """What the target asks today: the terms of the version in force (a retirement keeps the
    terms it ended, as the engine judges it) and the retirement, if any."""
    today = timezone.localdate()
    version = target.version_on(today)
    terms = [v for v in target.versions()
             if not v.retired and (v.effective_from is None or v.effective_from <= today)][-1]
    return {"terms": terms, "text": target.describe_version(terms),
            "retired": version if version.retired else None}


def _page(request, template: str, context: dict, *, chart_list: list, dataset: str,
          name: str, exports: list | None = None) -> HttpResponse:
    """Render the page, or answer ?export= with one of its charts' or tables' numbers.

    exports: tables the page shows on their own (ExportTable), downloadable like a chart's.
    """
    exports = exports or []
    if "export" in request.GET:
        return _export(request, [*chart_list, *exports], dataset=dataset, name=name)
    for table in exports:
        table.csv_url = _query(request, export=table.id, format="csv")
        table.xlsx_url = _query(request, export=table.id, format="xlsx")
    for chart in chart_list:
        chart.config = charts.plotly_config(f"{slugify(name)}-{chart.id}")
        chart.csv_url = _query(request, export=chart.id, format="csv")
        chart.xlsx_url = _query(request, export=chart.id, format="xlsx")
    context.update(
        charts=chart_list,
        dataset=dataset,
        is_demo=dataset == Dataset.DEMO,
        dataset_official_url=_query(request, dataset=Dataset.OFFICIAL),
        dataset_demo_url=_query(request, dataset=Dataset.DEMO),
        dataset_query=f"dataset={dataset}",
        method_url=method_url(),
        plotly_js_url=plotly_js_url(),
        statuses=[(s, Status(s).label) for s in charts.STATUS_ORDER],
    )
    return render(request, template, context)


@login_required
@require_GET
def index(request):
    """Links to every dashboard of the cities the user may read."""
    dataset = dataset_from_request(request)
    cities = list(readable_cities(request.user))
    return _page(request, "dashboards/index.html", {"cities": cities},
                 chart_list=[], dataset=dataset, name="index")


@login_required
@require_GET
def city(request, code: str):
    """City overview: attainment per pillar, status counts, the target list, 2025 and 2030."""
    city_unit = readable_city(user=request.user, code=code)
    dataset = dataset_from_request(request)
    year, pillar_id = _int(request.GET.get("year")), _int(request.GET.get("pillar"))
    data = selectors.city_overview(city=city_unit, dataset=dataset,
                                   plan_id=_int(request.GET.get("plan")), year=year,
                                   pillar_id=pillar_id)
    rows_2025 = [r for r in data.plan_rows if r.target.year == 2025]
    rows_2030 = [r for r in data.plan_rows if r.target.year == 2030]
    chart_list = []
    if data.plan is not None:
        chart_list = [
            charts.pillar_attainment_chart(data.pillar_rollups),
            charts.status_count_chart(data.rows),
        ]
        if rows_2025:
            chart_list.append(charts.status_count_chart(
                rows_2025, chart_id="results-2025", title=_("2025 results")))
        if rows_2030:
            chart_list.append(charts.trajectory_chart(rows_2030, year=2030))
    behind = None
    if data.plan is not None:
        behind = selectors.who_is_behind(city=city_unit, dataset=dataset, plan=data.plan,
                                         plan_rows=data.plan_rows, pillar_id=pillar_id,
                                         today=timezone.localdate())
    context = {
        "city": city_unit,
        "data": data,
        "behind": behind,
        "year": year,
        "pillar_id": pillar_id,
        "achieved_2025": sum(r.status == Status.ACHIEVED for r in rows_2025),
        "missed_2025": sum(r.status == Status.MISSED for r in rows_2025),
        "open_2025": sum(r.status not in (Status.ACHIEVED, Status.MISSED) for r in rows_2025),
        "n_2025": len(rows_2025),
        # The leaders' report is for the city's reviewers and viewers, not its reporters.
        "report_periods": list(downloadable_periods(
            user=request.user, city=city_unit, today=timezone.localdate())[:8]),
    }
    target_list = charts.target_list_table(data.rows)
    context["target_list"] = target_list
    return _page(request, "dashboards/city.html", context, chart_list=chart_list,
                 dataset=dataset, name=f"{city_unit.code}-overview", exports=[target_list])


@login_required
@require_GET
def target(request, pk: int):
    """One target: its series with the target line, trajectory and projection; its units."""
    target_obj = selectors.target_for_detail(pk=pk)
    if target_obj is None:
        raise Http404
    if not request.user.has_perm(READ_CITY, target_obj.plan.city):
        raise PermissionDenied
    dataset = dataset_from_request(request)
    detail = selectors.target_detail(target=target_obj, dataset=dataset)
    in_force = _in_force(target_obj)
    chart_list = [charts.target_series_chart(target_obj, detail.series, detail.latest,
                                             detail.series_break, year=in_force["terms"].year)]
    if detail.unit_rows:
        chart_list.append(charts.units_chart(detail.unit_rows, target_obj.indicator.measure))
    context = {"target": target_obj, "detail": detail, "city": target_obj.plan.city,
               "combination_label": Aggregation(target_obj.combination).label,
               "versions": [(v, target_obj.describe_version(v)) for v in target_obj.versions()],
               "in_force": in_force,
               "can_amend": request.user.has_perm(EDIT_PLANS, target_obj.plan.city)}
    return _page(request, "dashboards/target.html", context, chart_list=chart_list,
                 dataset=dataset, name=f"target-{target_obj.code}")


@login_required
@require_GET
def unit(request, code: str):
    """An agency or unit: its targets and status, what it reports next, its record."""
    unit_obj = readable_unit(user=request.user, code=code)
    dataset = dataset_from_request(request)
    today = timezone.localdate()
    data = selectors.unit_overview(unit=unit_obj, dataset=dataset, today=today)
    chart_list = []
    if data.rows:
        chart_list.append(charts.unit_targets_chart(data.rows))
    if data.records:
        chart_list.append(charts.compliance_record_chart(data.records))
    counts = {t: sum(r.timeliness == t for r in data.records) for t in Timeliness.values}
    context = {
        "unit": unit_obj,
        "city": unit_obj.city,
        "data": data,
        "today": today,
        "record_counts": [(t, Timeliness(t).label, counts[t]) for t in charts.TIMELINESS_ORDER],
    }
    return _page(request, "dashboards/unit.html", context, chart_list=chart_list,
                 dataset=dataset, name=f"unit-{unit_obj.code}")


@login_required
@require_GET
def compare(request):
    """One national indicator across the cities: targets and actuals side by side."""
    openable = readable_city_ids(request.user)
    if openable is not None and not openable:
        raise PermissionDenied
    dataset = dataset_from_request(request)
    data = selectors.national_comparison(
        dataset=dataset, national_indicator_id=_int(request.GET.get("indicator"))
    )
    sections = []
    for group in data.groups:
        group_charts = []
        # A milestone has no number to draw; the section's table shows each city's state.
        if not group.is_milestone:
            group_charts.append(charts.comparison_chart(group))
            if any(group.series.values()):
                group_charts.append(charts.comparison_series_chart(group))
        sections.append({"group": group, "charts": group_charts})
    chart_list = [chart for section in sections for chart in section["charts"]]
    name = f"compare-{data.indicator.code}" if data.indicator else "compare"
    # Other cities' figures are compared here, but their target pages are theirs to open.
    return _page(request, "dashboards/compare.html",
                 {"data": data, "sections": sections, "openable": openable},
                 chart_list=chart_list, dataset=dataset, name=name)


@login_required
@require_GET
def compliance(request, code: str):
    """Units × periods of a city: on time, late, missing, not yet due."""
    city_unit = readable_city(user=request.user, code=code)
    dataset = dataset_from_request(request)
    years = selectors.compliance_years(dataset=dataset, city=city_unit)
    year = _int(request.GET.get("year"))
    if year not in years:
        year = None
    periods = selectors.periods_of_year(year=year) if year else None
    units, periods, records = compliance_matrix(dataset=dataset, city=city_unit, periods=periods)
    chart_list = [charts.compliance_heatmap(units, periods, records)] if units else []
    legend = [(t, Timeliness(t).label, charts.TIMELINESS_COLOURS[t])
              for t in charts.TIMELINESS_ORDER]
    context = {"city": city_unit, "years": years, "year": year, "legend": legend,
               "n_units": len(units), "n_periods": len(periods)}
    return _page(request, "dashboards/compliance.html", context, chart_list=chart_list,
                 dataset=dataset, name=f"{city_unit.code}-compliance")

