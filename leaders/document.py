"""The leaders' report as a list of blocks (headings, paragraphs, tables, images).

One builder writes the content in the active language; the .docx and .pdf writers only lay
the same blocks out, so the two files always say the same thing.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from attainment.models import Dataset, Status
from dashboards.charts import STATUS_ORDER, TIMELINESS_ORDER
from dxtracker.i18n import is_english
from dxtracker.links import absolute_reverse
from leaders import images
from leaders.selectors import CityReport, TargetLine
from reporting.models import Timeliness
from reporting.numbers import format_number

DASH = "–"


@dataclass
class Heading:
    text: str
    level: int = 1


@dataclass
class Paragraph:
    text: str
    bold: bool = False


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]
    widths: list[float]  # relative column widths
    numeric: set[int] = field(default_factory=set)  # right-aligned columns
    bold: set[int] = field(default_factory=set)  # rows that sum up the rows below them


@dataclass
class Image:
    png: bytes
    caption: str
    width: float = 1.0  # share of the room a page gives images


@dataclass
class Document:
    title: str
    subtitle: str
    banner: str  # the demo marker printed on every page, empty for official figures
    footer: str
    blocks: list
    filename_stem: str


# Column headings; the context keeps "Target" (the goal) and "Indicator" (what is measured)
# apart from the same English words in other apps' catalogues.
COLUMNS = {
    "As of": pgettext_lazy("report column", "As of"),
    "Attainment": pgettext_lazy("report column", "Attainment"),
    "Coverage": pgettext_lazy("report column", "Coverage"),
    "Units reported": pgettext_lazy("report column", "Units reported"),
    "Days late": pgettext_lazy("report column", "Days late"),
    "Document": pgettext_lazy("report column", "Document"),
    "Indicator": pgettext_lazy("report column", "Indicator"),
    "Latest value": pgettext_lazy("report column", "Latest value"),
    "Level": pgettext_lazy("report column", "Level"),
    "Period": pgettext_lazy("report column", "Period"),
    "Plan / pillar": pgettext_lazy("report column", "Plan / pillar"),
    "Projection": pgettext_lazy("report column", "Projection"),
    "Report": pgettext_lazy("report column", "Report"),
    "Report for the period": pgettext_lazy("report column", "Report for the period"),
    "Responsible units": pgettext_lazy("report column", "Responsible units"),
    "Share": pgettext_lazy("report column", "Share"),
    "Source": pgettext_lazy("report column", "Source"),
    "Source sentence": pgettext_lazy("report column", "Source sentence"),
    "Target": pgettext_lazy("report column", "Target"),
    "Targets": pgettext_lazy("report column", "Targets"),
    "Targets behind": pgettext_lazy("report column", "Targets behind"),
    "Unit": pgettext_lazy("report column", "Unit"),
    "Units": pgettext_lazy("report column", "Units"),
    "Value": pgettext_lazy("report column", "Value"),
    "Verdict": pgettext_lazy("report column", "Verdict"),
    "Year": pgettext_lazy("report column", "Year"),
}


def col(label: str) -> str:
    return str(COLUMNS[label])


def text(value: str) -> str:
    """Text in composed form: fonts carry "ệ" as one glyph, not "e" plus two combining marks."""
    return unicodedata.normalize("NFC", str(value))


def number(value: float | Decimal | None) -> str:
    """A figure the Vietnamese way (1.234,5), or the English way under --lang en."""
    if value is None:
        return DASH
    written = format_number(Decimal(str(round(float(value), 2))))
    if is_english():
        written = written.translate(str.maketrans(".,", ",."))
    return written


def percent(value: float | None) -> str:
    return DASH if value is None else f"{number(value)} %"


def status_label(status: str) -> str:
    known = status if status in Status.values else Status.INSUFFICIENT_DATA
    return str(Status(known).label)


def status_order() -> list[str]:
    """The dashboards' order of statuses, then any status the engine has added since."""
    return [*STATUS_ORDER, *(s for s in Status.values if s not in STATUS_ORDER)]


def latest_value(line: TargetLine) -> str:
    result = line.result
    if result is None:
        return DASH
    written = number(result.actual_value)
    if result.numerator is not None and result.denominator is not None:
        written += f" ({number(result.numerator)}/{number(result.denominator)})"
    return written


def _date(value) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _datetime(value) -> str:
    return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")


def _source(line: TargetLine, is_demo: bool) -> str:
    if line.documents:
        files = sorted({d.source_file for d in line.documents if d.source_file})
        return _("Document %(files)s") % {"files": ", ".join(files)} if files else _("Document")
    if line.result is None:
        return DASH
    return _("Demo data") if is_demo else _("Approved reports")


def _responsible(line: TargetLine) -> str:
    return ", ".join(u.name for u in line.target.responsible_units.all()) or DASH


def build(report: CityReport) -> Document:
    """The report's blocks in the active language."""
    period = str(report.period)
    city = report.city.name
    banner = _("DEMO DATA — synthetic figures, not official") if report.is_demo else ""
    method = absolute_reverse("attainment:method")
    cutoff = _datetime(report.cutoff) if report.cutoff else _("no result computed yet")
    blocks: list = []
    if banner:
        blocks.append(Paragraph(banner, bold=True))
    blocks += [
        Paragraph(_("City: %(city)s. Period: %(period)s (%(start)s – %(end)s).") % {
            "city": city, "period": period, "start": _date(report.period.starts_on),
            "end": _date(report.period.ends_on)}),
        Paragraph(_("Data: %(dataset)s. Cut-off: results computed by the attainment engine on "
                    "%(cutoff)s from figures of periods ending by %(end)s.") % {
            "dataset": str(Dataset(report.dataset).label).lower(),
            "cutoff": cutoff, "end": _date(report.period.ends_on)}),
        Paragraph(_("Every verdict follows the published method: %(url)s") % {"url": method}),
    ]
    blocks += _headline_blocks(report)
    blocks += _behind_blocks(report)
    blocks += _unit_blocks(report)
    blocks += _compliance_blocks(report)
    blocks += _target_blocks(report)
    blocks += _document_blocks(report)
    title = _("Progress report on digital transformation")
    footer = _("%(city)s · %(period)s · data cut-off %(cutoff)s") % {
        "city": city, "period": period, "cutoff": cutoff}
    stem = f"bao-cao-{report.city.code.lower()}-{report.period.code.lower()}"
    if report.is_demo:
        stem += "-demo"
    return Document(title=title, subtitle=f"{city} · {period}", banner=banner, footer=footer,
                    blocks=blocks, filename_stem=stem)


def _headline_blocks(report: CityReport) -> list:
    used = {s for h in report.headlines for s, n in h.counts.items() if n}
    main = {Status.ACHIEVED, Status.ON_TRACK, Status.NEEDS_ACCELERATION, Status.MISSED,
            Status.INSUFFICIENT_DATA}
    statuses = [s for s in status_order() if s in used or s in main]
    rows = []
    for h in report.headlines:
        name = h.plan.title if h.pillar is None else f"   {h.pillar.name}"
        units = f"{h.units_reported}/{h.units_expected}" if h.units_expected else DASH
        rows.append([name, str(h.n_targets), f"{h.n_with_result}/{h.n_targets}", units,
                     *(str(h.counts.get(s, 0)) for s in statuses)])
    blocks: list = [
        Heading(_("1. Targets by plan and pillar")),
        Paragraph(_("Targets counted by their verdict as of %(period)s. Coverage: targets with a "
                    "result / targets; units reported: units that reported / units owing a "
                    "figure, over the targets whose value combines several units.")
                  % {"period": report.period}),
    ]
    if not rows:
        return [*blocks, Paragraph(_("This city has no target yet."))]
    blocks.append(Table(
        header=[col("Plan / pillar"), col("Targets"), col("Coverage"), col("Units reported"),
                *map(status_label, statuses)],
        rows=rows, widths=[5, 1.3, 1.6, 1.6, *([1.5] * len(statuses))],
        numeric=set(range(1, 4 + len(statuses))),
        bold={i for i, h in enumerate(report.headlines) if h.pillar is None},
    ))
    blocks.append(Image(images.status_chart(report.headlines, status_order()),
                        _("Targets by verdict, per plan and pillar")))
    return blocks


def _behind_blocks(report: CityReport) -> list:
    blocks: list = [Heading(_("2. Targets behind and their responsible units"))]
    behind = report.behind
    if not behind:
        return [*blocks, Paragraph(_("No target is behind."))]
    blocks.append(Table(
        header=[col("Indicator"), col("Level"), col("Target"), col("Year"),
                col("Latest value"), col("Verdict"), col("Responsible units")],
        rows=[[line.target.indicator.name, line.target.get_level_display(),
               line.target.describe(), str(line.target.year), latest_value(line),
               status_label(line.status), _responsible(line)] for line in behind],
        widths=[6, 2, 1.6, 1, 2, 2, 5], numeric={3, 4},
    ))
    return blocks


def _timeliness_label(value: str | None) -> str:
    return str(Timeliness(value).label) if value else _("not expected")


def _unit_blocks(report: CityReport) -> list:
    blocks: list = [Heading(_("3. Units behind")),
                    Paragraph(_("Units with targets behind, or whose report for %(period)s came "
                                "late or not at all.") % {"period": report.period})]
    behind = report.units_behind
    if not behind:
        return [*blocks, Paragraph(_("No unit is behind."))]
    blocks.append(Table(
        header=[col("Unit"), col("Targets"), col("Targets behind"), col("Report for the period"),
                col("Days late")],
        rows=[[s.unit.name, str(s.n_targets), str(s.n_behind), _timeliness_label(s.timeliness),
               str(s.days_late) if s.days_late is not None else DASH] for s in behind],
        widths=[7, 1.5, 2, 3, 1.5], numeric={1, 2, 4},
    ))
    return blocks


def _compliance_blocks(report: CityReport) -> list:
    counts = report.compliance_counts
    expected = len(report.compliance)
    blocks: list = [
        Heading(_("4. Reporting compliance for %(period)s") % {"period": report.period}),
        Paragraph(_("Reports expected: %(n)s; deadline %(deadline)s.") % {
            "n": expected, "deadline": _date(report.period.deadline)}),
    ]
    if not expected:
        return blocks
    blocks.append(Table(
        header=[col("Report"), col("Units"), col("Share")],
        rows=[[str(Timeliness(t).label), str(counts[t]), percent(counts[t] / expected * 100)]
              for t in TIMELINESS_ORDER],
        widths=[4, 1.5, 1.5], numeric={1, 2},
    ))
    blocks.append(Image(images.compliance_chart(counts, TIMELINESS_ORDER),
                        _("Reports for %(period)s by timeliness") % {"period": report.period},
                        width=0.6))
    return blocks


def _target_blocks(report: CityReport) -> list:
    blocks: list = [Heading(_("5. Every target")),
                    Paragraph(_("Latest value and verdict as of %(period)s; projection: the "
                                "value the current trend reaches by the target year; units: "
                                "units that reported / units owing a figure.")
                              % {"period": report.period})]
    for plan in report.plans:
        lines = [line for line in report.lines if line.target.plan_id == plan.pk]
        if not lines:
            continue
        blocks.append(Heading(plan.title, level=2))
        blocks.append(Table(
            header=[col("Indicator"), col("Level"), col("Target"), col("Year"),
                    col("Latest value"), col("As of"), col("Attainment"), col("Verdict"),
                    col("Projection"), col("Units"), col("Source")],
            rows=[_target_row(line, report.is_demo) for line in lines],
            widths=[6, 1.8, 1.5, 1, 2, 1.3, 1.5, 2, 1.6, 1.1, 2.2],
            numeric={3, 4, 6, 8, 9},
        ))
    return blocks


def _target_row(line: TargetLine, is_demo: bool) -> list[str]:
    result = line.result
    return [
        line.target.indicator.name, line.target.get_level_display(), line.target.describe(),
        str(line.target.year), latest_value(line),
        str(result.period) if result else DASH,
        percent(result.attainment_pct) if result else DASH,
        status_label(line.status),
        number(result.projected_linear) if result else DASH,
        f"{line.units_reported or 0}/{line.units_expected}" if line.units_expected else DASH,
        _source(line, is_demo),
    ]


def _document_blocks(report: CityReport) -> list:
    blocks: list = [Heading(_("6. Figures from source documents"))]
    if report.is_demo:
        return [*blocks, Paragraph(_("The demo dataset holds no figure from the documents."))]
    if not report.documents:
        return [*blocks, Paragraph(_("No figure from a document for this city and period."))]
    rows = []
    for fig in report.documents:
        value = number(fig.value)
        if fig.numerator is not None and fig.denominator is not None:
            value = f"{number(fig.numerator)}/{number(fig.denominator)}"
        sentence = fig.source_sentence
        if len(sentence) > 240:
            sentence = sentence[:239] + "…"
        rows.append([fig.indicator.name, fig.unit.name, str(fig.period), value,
                     fig.source_file or DASH, sentence or DASH])
    blocks.append(Table(
        header=[col("Indicator"), col("Unit"), col("Period"), col("Value"), col("Document"),
                col("Source sentence")],
        rows=rows, widths=[5, 3, 1.3, 1.6, 3, 8], numeric={3},
    ))
    return blocks
