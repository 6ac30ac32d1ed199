"""Plotly figures for the dashboards, each returned with the table of the numbers it draws.

Builders take rows already read by the selectors and never query. Number and date
formats follow the active language: Plotly's ``separators`` and d3 formats for the
chart, ``tables.format_cell`` for the table under it.

Figures are built as the plain dicts plotly.js reads (``{"data": [...], "layout": {...}}``),
not as ``plotly.graph_objects``: validating every property through graph_objects cost most
of a dashboard page's server time (about 100 ms per figure). ``Chart.figure`` still gives
the validated ``go.Figure`` of the same dict, and tests/dashboards/test_chart_json.py
checks that plotly serialises it to exactly what the page embeds.
"""

from collections import Counter
from dataclasses import dataclass
from functools import cache

import plotly.graph_objects as go
import plotly.io as pio
from django.utils.translation import gettext as _
from plotly.io.json import to_json_plotly

from attainment.models import Status
from dashboards import tables
from dashboards.tables import ChartTable, Column
from dashboards.timeaxis import deadline_date, t_to_date
from dxtracker.i18n import is_english
from reporting.models import MilestoneState, Timeliness
from targets.models import Measure

STATUS_ORDER = [
    Status.ACHIEVED,
    Status.ON_TRACK,
    Status.NEEDS_ACCELERATION,
    Status.NOT_ACHIEVED,
    Status.LIMITED_PROGRESS,
    Status.DETERIORATING,
    Status.AWAITING_FINAL,
    Status.MISSED,
    Status.INCOMPLETE_DATA,
    Status.BASELINE_NEEDED,
    Status.LEVEL_ABOLISHED,
    Status.RETIRED,
    Status.INSUFFICIENT_DATA,
]
STATUS_COLOURS = {
    Status.ACHIEVED: "#1a7f37",
    Status.ON_TRACK: "#56a86b",
    Status.NEEDS_ACCELERATION: "#e0a100",
    Status.NOT_ACHIEVED: "#d58a00",
    Status.LIMITED_PROGRESS: "#e65100",
    Status.DETERIORATING: "#c62828",
    Status.AWAITING_FINAL: "#6d5dad",
    Status.MISSED: "#7f1d1d",
    Status.INCOMPLETE_DATA: "#8d9db0",
    Status.BASELINE_NEEDED: "#a3a08c",
    Status.LEVEL_ABOLISHED: "#5f6b7a",
    Status.RETIRED: "#4a5560",
    Status.INSUFFICIENT_DATA: "#9aa5b1",
}
TIMELINESS_ORDER = [Timeliness.ON_TIME, Timeliness.LATE, Timeliness.MISSING, Timeliness.PENDING]
TIMELINESS_COLOURS = {
    Timeliness.ON_TIME: "#1a7f37",
    Timeliness.LATE: "#e0a100",
    Timeliness.MISSING: "#c62828",
    Timeliness.PENDING: "#c5ccd5",
}
CITY_COLOURS = ["#0b5cab", "#c2185b", "#00897b", "#6d4c41", "#7b3fa0"]


@cache
def plotly_default_template() -> dict:
    # What go.Figure puts under layout.template when none is set: plotly's default theme.
    return pio.templates[pio.templates.default].to_plotly_json()


@dataclass
class Chart:
    """A figure, its title, and the table of exactly the numbers it draws."""

    id: str
    title: str
    spec: dict  # {"data": [trace dicts], "layout": {...}}, as plotly.js takes it
    table: ChartTable
    note: str = ""

    @property
    def figure(self) -> go.Figure:
        """The same figure validated by plotly (for tests and notebooks; pages never need it)."""
        return go.Figure(self.spec)

    def figure_json(self) -> str:
        layout = {"template": plotly_default_template(), **self.spec["layout"]}
        return to_json_plotly({"data": self.spec["data"], "layout": layout})


def _figure(*traces: dict, **layout) -> dict:
    return {"data": list(traces), "layout": layout}


def _merge(into: dict, changes: dict) -> None:
    # Nested dicts merge key by key, as go.Figure.update_layout does.
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


def _texts(values: list) -> list[str | None]:
    # Plotly's text arrays are strings: go.Bar(text=[5]) embeds "5".
    return [None if v is None else str(v) for v in values]


def _update_layout(fig: dict, **changes) -> None:
    _merge(fig["layout"], changes)


def _update_xaxes(fig: dict, **changes) -> None:
    _merge(fig["layout"].setdefault("xaxis", {}), changes)


def _update_yaxes(fig: dict, **changes) -> None:
    _merge(fig["layout"].setdefault("yaxis", {}), changes)


def plotly_config(chart_id: str) -> dict:
    """Toolbar without the Plotly logo, with PNG export named after the chart."""
    return {
        "displaylogo": False,
        "responsive": True,
        "toImageButtonOptions": {"format": "png", "filename": chart_id, "scale": 2},
        "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d"],
    }


def _separators() -> str:
    # Plotly wants the decimal sign first, then the thousands sign.
    return ".," if is_english() else ",."


def _date_format() -> str:
    return "%Y-%m-%d" if is_english() else "%d/%m/%Y"


def _month_format() -> str:
    # Numeric months: Plotly's month names are English only.
    return "%Y-%m" if is_english() else "%m/%Y"


def _layout(fig: dict, *, height: int = 360, **extra) -> dict:
    _update_layout(
        fig,
        separators=_separators(),
        height=height,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        font={"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 13},
        legend={"orientation": "h", "yanchor": "top", "y": -0.15, "x": 0},
        plot_bgcolor="#fff",
        paper_bgcolor="#fff",
        hoverlabel={"namelength": -1},
        **extra,
    )
    _update_xaxes(fig, automargin=True, gridcolor="#eef2f6")
    _update_yaxes(fig, automargin=True, gridcolor="#eef2f6")
    return fig


def _short(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _wrap(text: str, width: int = 24) -> str:
    """Break a category label over lines (<br>), so a narrow screen keeps room for the bars."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "<br>".join(lines)


def status_label(status: str | None) -> str:
    known = status if status in Status.values else Status.INSUFFICIENT_DATA
    return str(Status(known).label)


def value_format(measure: str) -> str:
    """d3 format for an indicator's values in hover labels and axes."""
    if measure in (Measure.RANK, Measure.MONEY_VND):
        return ",.0f"
    return ",.4~f"


# ---------------------------------------------------------------- city overview


def target_list_table(rows: list) -> tables.ExportTable:
    """The city overview's target list as a download: the columns of the page's table."""
    table = ChartTable([
        Column("indicator", _("Indicator")), Column("level", _("Level")),
        Column("target", _("Target value")), Column("year", _("Year"), tables.INTEGER),
        Column("actual", _("Latest value"), tables.NUMBER), Column("period", _("As of")),
        Column("attainment", _("Attainment"), tables.PERCENT), Column("status", _("Status")),
        Column("responsible", _("Responsible")),
    ])
    for row in rows:
        target = row.target
        table.add(
            str(target.indicator.name), target.get_level_display(), target.describe(),
            target.year, row.actual, str(row.period) if row.period else "",
            row.attainment_pct, status_label(row.status),
            ", ".join(str(u.name) for u in target.responsible_units.all()),
        )
    return tables.ExportTable("targets", _("Targets"), table)


def pillar_attainment_chart(rollups: list) -> Chart:
    """Mean attainment per pillar, from the engine's stored pillar rollups."""
    table = ChartTable([
        Column("pillar", _("Pillar")),
        Column("targets", _("Targets"), tables.INTEGER),
        Column("mean", _("Mean attainment (%)"), tables.PERCENT),
        Column("achieved", _("Achieved"), tables.INTEGER),
    ])
    names, means, counts = [], [], []
    for rollup in rollups:
        name = rollup.pillar.name if rollup.pillar else _("All pillars")
        achieved = (rollup.status_counts or {}).get(Status.ACHIEVED, 0)
        table.add(name, rollup.n_targets, rollup.mean_attainment, achieved)
        names.append(_short(name, 36))
        means.append(rollup.mean_attainment)
        counts.append(rollup.n_targets)
    fig = _figure({
        "type": "bar", "x": means, "y": names, "orientation": "h",
        "marker": {"color": "#0b5cab"}, "customdata": counts, "name": _("Mean attainment (%)"),
        "hovertemplate": "%{y}: %{x:,.1f} %<br>" + _("Targets") + ": %{customdata}<extra></extra>",
        "text": _texts(means), "texttemplate": "%{x:,.1f} %", "textposition": "auto",
    })
    _update_xaxes(fig, range=[0, 100], ticksuffix=" %", tickformat=",.0f")
    _update_yaxes(fig, autorange="reversed")
    return Chart("pillars", _("Attainment per pillar"),
                 _layout(fig, height=max(220, 60 * len(names) + 80)), table)


def _integer_axis(fig: dict, largest: int, **axis) -> None:
    """A y axis of counts: whole-number ticks only."""
    # On small counts Plotly's automatic step is 0.2 or 0.5, which ",d" prints as "0 0 0 1 1 1".
    if largest <= 10:
        axis.update(tick0=0, dtick=1)
    _update_yaxes(fig, tickformat=",d", **axis)


def status_count_chart(rows: list, *, chart_id: str = "statuses", title: str = "") -> Chart:
    """Targets counted by status; rows carry a .status (None when never computed)."""
    counts = Counter((row.status or Status.INSUFFICIENT_DATA) for row in rows)
    table = ChartTable(
        [Column("status", _("Status")), Column("count", _("Targets"), tables.INTEGER)]
    )
    labels, values, colours = [], [], []
    for status in STATUS_ORDER:
        if counts.get(status):
            table.add(status_label(status), counts[status], css={0: f"status-{status}"})
            labels.append(status_label(status))
            values.append(counts[status])
            colours.append(STATUS_COLOURS[status])
    fig = _figure({
        "type": "bar", "x": labels, "y": values, "marker": {"color": colours},
        "name": _("Targets"), "text": _texts(values), "textposition": "auto",
        "hovertemplate": "%{x}: %{y:,d}<extra></extra>",
    })
    _integer_axis(fig, max(values, default=0), rangemode="tozero")
    return Chart(chart_id, title or _("Targets by status"), _layout(fig, height=320), table)


def _coverage_columns() -> list[Column]:
    """How many units owing the figure reported it: beside every combined value."""
    return [Column("units_reported", _("Units reported"), tables.INTEGER),
            Column("units_expected", _("Units expected"), tables.INTEGER)]


def trajectory_chart(rows: list, *, year: int) -> Chart:
    """Attainment now of each target due in `year`, coloured by status, with its projection."""
    table = ChartTable([
        Column("target", _("Indicator")),
        Column("level", _("Level")),
        Column("goal", _("Target value")),
        Column("actual", _("Latest value"), tables.NUMBER),
        Column("projected", _("Projected value at the deadline"), tables.NUMBER),
        Column("attainment", _("Attainment (%)"), tables.PERCENT),
        Column("status", _("Status")),
        *_coverage_columns(),
    ])
    names, pcts, colours, hover = [], [], [], []
    shared = Counter(row.target.indicator_id for row in rows)
    for row in rows:
        status = row.status or Status.INSUFFICIENT_DATA
        name = row.target.indicator.name
        level = row.target.get_level_display()
        table.add(name, level, row.target.describe(), row.actual, row.projected,
                  row.attainment_pct, status_label(status), row.units_reported,
                  row.units_expected, css={6: f"status-{status}"})
        # Plotly draws bars of one category on top of each other: targets sharing an
        # indicator (city 100 %, district 90 %, commune 80 %) each need a category of their own.
        label = _short(name, 40)
        if shared[row.target.indicator_id] > 1:
            label = f"{label} · {level}"
        label = _wrap(label)
        while label in names:
            label += "\u200b"  # same indicator and level twice: still two bars
        names.append(label)
        pcts.append(row.attainment_pct or 0)
        colours.append(STATUS_COLOURS[status])
        hover.append([row.target.describe(), status_label(status)])
    fig = _figure({
        "type": "bar", "x": pcts, "y": names, "orientation": "h", "marker": {"color": colours},
        "customdata": hover, "name": _("Attainment (%)"),
        "hovertemplate": "%{y}<br>%{x:,.1f} % · %{customdata[1]}<br>"
        + _("Target") + ": %{customdata[0]}<extra></extra>",
    })
    _update_xaxes(fig, range=[0, 100], ticksuffix=" %", tickformat=",.0f")
    _update_yaxes(fig, autorange="reversed")
    title = _("Targets for %(year)s: attainment and status") % {"year": year}
    lines = sum(name.count("<br>") + 1 for name in names)
    return Chart(f"trajectory-{year}", title,
                 _layout(fig, height=max(240, 16 * lines + 14 * len(names) + 90)), table)


# ---------------------------------------------------------------- target detail


def target_series_chart(target, series: list, latest, series_break=None, *,
                        year: int | None = None) -> Chart:
    """Actual values over time with the target line, baseline, expected path and projection.

    year: the target year of the version in force today (an amendment may move it).
    """
    year = year or target.year
    measure = target.indicator.measure
    if measure == Measure.MILESTONE:
        return milestone_chart(series)
    fmt = value_format(measure)
    table = ChartTable([
        Column("series", _("Series")),
        Column("date", _("Date"), tables.DATE),
        Column("value", _("Value"), tables.NUMBER),
        Column("note", _("Note")),
    ])
    fig = _figure()
    hover = "%{fullData.name}<br>%{x|" + _date_format() + "}: %{y:" + fmt + "}<extra></extra>"

    def add(name: str, xs: list, ys: list, notes: list | None = None, **style):
        for x, y, note in zip(xs, ys, notes or [""] * len(xs), strict=True):
            table.add(name, x, y, note)
        fig["data"].append({"type": "scatter", "x": xs, "y": ys, "name": name,
                            "hovertemplate": hover, **style})

    # Each period's own value: judged (the target year or before, same rank field), shown
    # after the target year, or ranked in another field and not compared.
    drawn = [a for a in series if _drawn_value(a) is not None]
    other_field = [a for a in drawn if _other_field(a)]
    later = [a for a in drawn if a.period.ends_on.year > year and a not in other_field]
    points = [a for a in drawn if a not in other_field and a not in later]
    add(_("Actual value"), [a.period.ends_on for a in points],
        [_drawn_value(a) for a in points], [_provenance(a) for a in points],
        mode="lines+markers", line={"color": "#0b5cab", "width": 3})
    if later:
        add(_("Since the deadline (not judged)"), [a.period.ends_on for a in later],
            [_drawn_value(a) for a in later], [_provenance(a) for a in later],
            mode="markers", marker={"color": "#8a94a3", "size": 9})
    if other_field:
        add(_("Ranked in another field (not comparable)"),
            [a.period.ends_on for a in other_field], [_drawn_value(a) for a in other_field],
            [_("of %(field)s") % {"field": tables.format_cell(a.ranked_among, tables.NUMBER)}
             for a in other_field],
            mode="markers", marker={"color": "#8a94a3", "symbol": "x", "size": 10})
    goal = latest.effective_target if latest and latest.effective_target is not None else (
        float(target.value) if target.value is not None else None)
    if target.baseline_value is not None and target.baseline_year:
        add(_("Baseline"), [deadline_date(target.baseline_year)], [float(target.baseline_value)],
            mode="markers", marker={"symbol": "diamond", "size": 12, "color": "#5b6877"})
    if goal is not None:
        start = points[0].period.ends_on if points else None
        if latest and latest.base_t is not None:
            start = t_to_date(latest.base_t)
        if start is not None:
            # An amended target was judged against other values before: the line steps.
            steps = _target_steps(start, points, latest, goal)
            steps.append((deadline_date(year), goal))
            add(_("Target"), [d for d, _g in steps], [g for _d, g in steps],
                mode="lines", line={"color": "#c62828", "dash": "dash", "shape": "hv"})
        if latest and latest.base_t is not None and latest.base_value is not None:
            add(_("Expected trajectory"), [t_to_date(latest.base_t), deadline_date(year)],
                [latest.base_value, goal], mode="lines", line={"color": "#5b6877", "dash": "dot"})
    if latest and latest.projected_linear is not None and points:
        add(_("Projection to the target year"),
            [points[-1].period.ends_on, deadline_date(year)],
            [_drawn_value(points[-1]), latest.projected_linear],
            mode="lines+markers", line={"color": "#e65100", "dash": "dashdot"},
            marker={"symbol": "circle-open"})
    if series_break is not None and points:
        # The merged city's series breaks: earlier figures are the old city's.
        label = _("Series break (merger)")
        table.add(label, series_break, None, "")
        # What go.Figure.add_vline draws: a line across the whole height of the plot.
        at = series_break.isoformat()
        fig["layout"].setdefault("shapes", []).append({
            "type": "line", "x0": at, "x1": at, "xref": "x", "y0": 0, "y1": 1,
            "yref": "y domain", "line": {"color": "#5b6877", "dash": "dot"},
        })
        fig["layout"].setdefault("annotations", []).append({
            "x": at, "y": 1, "yref": "paper", "text": label, "showarrow": False,
            "xanchor": "left", "yanchor": "bottom",
        })
    _update_xaxes(fig, type="date", hoverformat=_date_format(), tickformat=_month_format())
    _update_yaxes(fig, tickformat=fmt)
    if measure == Measure.RANK:
        _update_yaxes(fig, autorange="reversed", title={"text": _("Rank (1 is best)")})
    return Chart("series", _("Values over time"), _layout(fig, height=380), table)


def _target_steps(start, points: list, latest, goal: float) -> list[tuple]:
    """(from, value) each time the value judged against changed (amendments), else one."""
    judged = [(a.period.ends_on, a.effective_target) for a in points
              if a.effective_target is not None]
    if latest is not None and latest.effective_target is not None:
        judged.append((latest.period.ends_on, goal))
    steps = [(start, judged[0][1] if judged else goal)]
    for day, value in judged:
        if value != steps[-1][1]:
            steps.append((day, value))
    return steps


def _drawn_value(row) -> float | None:
    return row.period_value if row.period_value is not None else row.actual_value


def _other_field(row) -> bool:
    return (row.ranked_among is not None and row.rank_field is not None
            and row.ranked_among != row.rank_field)


def _provenance(row) -> str:
    notes = [_("derived") if row.derived else "", _("lower bound") if row.lower_bound else ""]
    return ", ".join(n for n in notes if n)


MILESTONE_STEPS = [MilestoneState.NOT_STARTED, MilestoneState.IN_PROGRESS, MilestoneState.DONE]


def milestone_chart(series: list) -> Chart:
    """A milestone's state period by period (not started, in progress, done), not a number."""
    table = ChartTable([
        Column("period", _("Period")),
        Column("date", _("Date"), tables.DATE),
        Column("state", _("Milestone state")),
    ])
    xs, ys, labels = [], [], []
    for row in series:
        if not row.milestone_state:
            continue
        label = str(MilestoneState(row.milestone_state).label)
        table.add(str(row.period), row.period.ends_on, label)
        xs.append(row.period.ends_on)
        ys.append(MILESTONE_STEPS.index(row.milestone_state))
        labels.append(label)
    fig = _figure({
        "type": "scatter", "x": xs, "y": ys, "customdata": labels, "mode": "lines+markers",
        "line": {"shape": "hv", "width": 3}, "name": _("Milestone state"),
        "hovertemplate": "%{x|" + _date_format() + "}: %{customdata}<extra></extra>",
    })
    _update_yaxes(fig, range=[-0.3, 2.3], tickvals=[0, 1, 2],
                  ticktext=[str(s.label) for s in MILESTONE_STEPS])
    if xs:
        _update_xaxes(fig, type="date", tickformat=_month_format())
    else:
        # Nothing reported yet: no date axis at all rather than one around the year 2000.
        _update_xaxes(fig, visible=False)
    return Chart("series", _("Milestone state over time"), _layout(fig, height=300), table)


def units_chart(unit_rows: list, measure: str) -> Chart:
    """Each responsible unit's latest value against the target of its level."""
    fmt = value_format(measure)
    table = ChartTable([
        Column("unit", _("Unit")),
        Column("level", _("Level")),
        Column("goal", _("Target value"), tables.NUMBER),
        Column("actual", _("Latest value"), tables.NUMBER),
        Column("period", _("Period")),
        Column("attainment", _("Attainment (%)"), tables.PERCENT),
        Column("status", _("Status")),
    ])
    names, actual, goals, colours, hover = [], [], [], [], []
    for row in unit_rows:
        status = row.status or Status.INSUFFICIENT_DATA
        table.add(row.unit.name, row.target.get_level_display(), row.effective_target,
                  row.actual_value, str(row.period), row.attainment_pct, status_label(status),
                  css={6: f"status-{status}"})
        names.append(_short(row.unit.name, 36))
        actual.append(row.actual_value)
        goals.append(row.effective_target)
        colours.append(STATUS_COLOURS[status])
        hover.append(status_label(status))
    fig = _figure(
        {"type": "bar", "x": names, "y": actual, "name": _("Latest value"),
         "marker": {"color": colours}, "customdata": hover,
         "hovertemplate": "%{x}: %{y:" + fmt + "}<br>%{customdata}<extra></extra>"},
        {"type": "scatter", "x": names, "y": goals, "name": _("Target value"),
         "mode": "markers",
         "marker": {"symbol": "line-ew-open", "size": 28, "color": "#c62828",
                    "line": {"width": 3}},
         "hovertemplate": "%{x}: %{y:" + fmt + "}<extra>" + _("Target value") + "</extra>"},
    )
    _update_yaxes(fig, tickformat=fmt)
    if measure == Measure.RANK:
        _update_yaxes(fig, autorange="reversed")
    return Chart("units", _("Each responsible unit against its target"),
                 _layout(fig, height=380), table)


# ---------------------------------------------------------------- unit view


def unit_targets_chart(rows: list) -> Chart:
    """The unit's own attainment of each target it is responsible for."""
    table = ChartTable([
        Column("target", _("Target")),
        Column("year", _("Target year")),
        Column("goal", _("Target value")),
        Column("actual", _("Latest value"), tables.NUMBER),
        Column("period", _("Period")),
        Column("attainment", _("Attainment (%)"), tables.PERCENT),
        Column("status", _("Status")),
        *_coverage_columns(),
    ])
    names, pcts, colours, hover = [], [], [], []
    for row in rows:
        status = row.status or Status.INSUFFICIENT_DATA
        name = row.target.indicator.name
        table.add(name, str(row.target.year), row.target.describe(), row.actual,
                  str(row.period) if row.period else "", row.attainment_pct, status_label(status),
                  row.units_reported, row.units_expected, css={6: f"status-{status}"})
        names.append(f"{_short(name, 40)} ({row.target.year})")
        pcts.append(row.attainment_pct or 0)
        colours.append(STATUS_COLOURS[status])
        hover.append(status_label(status))
    fig = _figure({
        "type": "bar", "x": pcts, "y": names, "orientation": "h", "marker": {"color": colours},
        "customdata": hover, "name": _("Attainment (%)"),
        "hovertemplate": "%{y}<br>%{x:,.1f} % · %{customdata}<extra></extra>",
    })
    _update_xaxes(fig, range=[0, 100], ticksuffix=" %", tickformat=",.0f")
    _update_yaxes(fig, autorange="reversed")
    return Chart("targets", _("Attainment of the unit's targets"),
                 _layout(fig, height=max(240, 26 * len(names) + 90)), table)


def compliance_record_chart(records: list) -> Chart:
    """The unit's reports per year: on time, late, missing."""
    years = sorted({r.period.year for r in records})
    counts = Counter((r.period.year, r.timeliness) for r in records)
    table = ChartTable([
        Column("year", _("Year")),
        *(Column(t, str(Timeliness(t).label), tables.INTEGER) for t in TIMELINESS_ORDER),
    ])
    for year in years:
        table.add(str(year), *(counts.get((year, t), 0) for t in TIMELINESS_ORDER))
    fig = _figure(*(
        {"type": "bar", "x": [str(y) for y in years], "y": [counts.get((y, t), 0) for y in years],
         "name": str(Timeliness(t).label), "marker": {"color": TIMELINESS_COLOURS[t]},
         "hovertemplate": "%{x} · %{fullData.name}: %{y:,d}<extra></extra>"}
        for t in TIMELINESS_ORDER
    ), barmode="stack")
    per_year = Counter(r.period.year for r in records)
    _integer_axis(fig, max(per_year.values(), default=0), title={"text": _("Reports")})
    return Chart("record", _("Reporting record"), _layout(fig, height=320), table)


# ---------------------------------------------------------------- cross-city


def _row_labels(rows: list) -> dict[int, str]:
    """x label of each row: the city, and the plan when a city has several in the group."""
    plans: dict[int, set[int]] = {}
    for row in rows:
        plans.setdefault(row.city.pk, set()).add(row.target.plan_id)
    return {
        row.target.pk: row.city.name if len(plans[row.city.pk]) == 1
        else f"{row.city.name} · {row.target.plan.document_number or row.target.plan.code}"
        for row in rows
    }


def comparison_chart(group) -> Chart:
    """One definition's targets and latest value in each city, on one axis of one measure.

    Every target is a bar (a city with two plans gets one group of bars per plan), and the
    latest value names its period, so figures of different dates are never read as one.
    """
    indicator = group.indicator
    table = ChartTable([
        Column("city", _("City")),
        Column("plan", _("Plan")),
        Column("year", _("Target year")),
        Column("target", _("Target")),
        Column("goal", _("Target value"), tables.NUMBER),
        Column("actual", _("Latest value"), tables.NUMBER),
        Column("period", _("Period of the latest value")),
        Column("status", _("Status")),
        *_coverage_columns(),
    ])
    labels = _row_labels(group.rows)
    cities: list[str] = []
    for row in group.rows:
        status = row.status or Status.INSUFFICIENT_DATA
        table.add(row.city.name, row.target.plan.document_number or row.target.plan.code,
                  str(row.target.year), row.target.describe(), row.goal, row.actual,
                  str(row.period) if row.period else "", status_label(status),
                  row.units_reported, row.units_expected, css={7: f"status-{status}"})
        if labels[row.target.pk] not in cities:
            cities.append(labels[row.target.pk])
    years = sorted({row.target.year for row in group.rows})
    traces = []
    palette = ["#f4a3a3", "#e57373", "#c62828", "#7f1d1d"]
    for i, year in enumerate(years):
        by_label = {labels[r.target.pk]: r.goal for r in group.rows if r.target.year == year}
        traces.append({
            "type": "bar", "x": cities, "y": [by_label.get(c) for c in cities],
            "name": _("Target %(year)s") % {"year": year},
            "marker": {"color": palette[i % len(palette)]},
            "hovertemplate": "%{x}: %{y:,.4~f}<extra>%{fullData.name}</extra>",
        })
    # Each label's most recent value, and the period it is of.
    latest: dict[str, object] = {}
    for row in group.rows:
        label = labels[row.target.pk]
        if row.actual is None or row.period is None:
            continue
        known = latest.get(label)
        if known is None or (row.period.ends_on, row.period.starts_on) > (
                known.period.ends_on, known.period.starts_on):
            latest[label] = row
    traces.append({
        "type": "bar", "x": cities,
        "y": [latest[c].actual if c in latest else None for c in cities],
        "customdata": [str(latest[c].period) if c in latest else "" for c in cities],
        "name": _("Latest value"), "marker": {"color": "#0b5cab"},
        "hovertemplate": "%{x} (%{customdata}): %{y:,.4~f}<extra>%{fullData.name}</extra>",
    })
    fig = _figure(*traces, barmode="group")
    _update_yaxes(fig, tickformat=",.4~f", title={"text": str(indicator.unit_of_measure())})
    title = _("%(indicator)s (%(level)s)") % {"indicator": indicator.name,
                                                "level": group.level_label}
    return Chart(f"comparison-{group.key}", title, _layout(fig, height=360), table,
                 note=_("Measured in: %(unit)s.") % {"unit": indicator.unit_of_measure()})


def comparison_series_chart(group) -> Chart:
    """One definition's values over time, one line per city."""
    table = ChartTable([
        Column("city", _("City")),
        Column("period", _("Period")),
        Column("date", _("Date"), tables.DATE),
        Column("value", _("Value"), tables.NUMBER),
    ])
    traces = []
    names: dict[int, str] = {}  # every city's line has the same periods: name each once
    for i, (city, points) in enumerate(group.series.items()):
        labels = [names.get(p.pk) or names.setdefault(p.pk, str(p)) for p, _v in points]
        city_name = city.name
        for (period, value), label in zip(points, labels, strict=True):
            table.add(city_name, label, period.ends_on, value)
        traces.append({
            "type": "scatter", "x": [p.ends_on for p, _v in points],
            "y": [v for _p, v in points], "name": city_name,
            "customdata": labels,
            "mode": "lines+markers", "line": {"color": CITY_COLOURS[i % len(CITY_COLOURS)]},
            "hovertemplate": "%{fullData.name} · %{customdata}<br>%{x|" + _date_format()
            + "}: %{y:,.4~f}<extra></extra>",
        })
    fig = _figure(*traces)
    _update_xaxes(fig, type="date", tickformat=_month_format(), hoverformat=_date_format())
    _update_yaxes(fig, tickformat=",.4~f",
                  title={"text": str(group.indicator.unit_of_measure())})
    title = _("%(indicator)s (%(level)s): values over time") % {
        "indicator": group.indicator.name, "level": group.level_label}
    return Chart(f"comparison-series-{group.key}", title, _layout(fig, height=360), table)


# ---------------------------------------------------------------- compliance


def compliance_heatmap(units: list, periods: list, records: dict) -> Chart:
    """Units × periods coloured by timeliness; the words are in the hover and the table."""
    codes = {t: i for i, t in enumerate(TIMELINESS_ORDER)}
    table = ChartTable([Column("unit", _("Unit")),
                        *(Column(p.code, str(p)) for p in periods)])
    z, text = [], []
    for unit in units:
        row_z, row_text, cells, css = [], [], [], {}
        for j, period in enumerate(periods, start=1):
            record = records.get((unit.pk, period.pk))
            if record is None:
                row_z.append(None)
                row_text.append("")
                cells.append("")
                continue
            label = str(Timeliness(record.timeliness).label)
            if record.timeliness == Timeliness.LATE and record.days_late:
                label_full = _("%(label)s (%(days)s days)") % {"label": label,
                                                               "days": record.days_late}
            else:
                label_full = label
            row_z.append(codes[record.timeliness])
            row_text.append(label_full)
            cells.append(label)
            css[j] = f"t-{record.timeliness}"
        table.add(unit.name, *cells, css=css)
        z.append(row_z)
        text.append(row_text)
    n = len(TIMELINESS_ORDER)
    colourscale = []
    for i, t in enumerate(TIMELINESS_ORDER):
        colourscale += [[i / n, TIMELINESS_COLOURS[t]], [(i + 1) / n, TIMELINESS_COLOURS[t]]]
    fig = _figure({
        "type": "heatmap", "z": z, "x": [str(p) for p in periods],
        "y": [_short(u.name, 40) for u in units], "text": text, "zmin": -0.5, "zmax": n - 0.5,
        "colorscale": colourscale, "showscale": False, "xgap": 2, "ygap": 2,
        "hovertemplate": "%{y}<br>%{x}: %{text}<extra></extra>",
        "name": _("Reporting compliance"),
    })
    _update_yaxes(fig, autorange="reversed")
    _update_xaxes(fig, tickangle=-45, side="top")
    return Chart("compliance", _("Reports by unit and period"),
                 _layout(fig, height=max(260, 24 * len(units) + 120)), table)
