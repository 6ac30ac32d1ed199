"""The catalogue: plans, pillars, indicators and their targets, as the documents state them."""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dxtracker.i18n import BilingualNameMixin, localized


def in_force_on(versions, day: date):
    """The last of `versions` (in the order they came into force; the first, the document's
    own, has effective_from None) that is in force on `day`."""
    current = None
    for version in versions:
        if version.effective_from is None or version.effective_from <= day:
            current = version
    return current


class Plan(models.Model):
    """A plan or resolution issued by a city body, with its targets."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    city = models.ForeignKey(
        "units.Unit", verbose_name=_("city"), on_delete=models.PROTECT, related_name="plans"
    )
    title_vi = models.CharField(_("title (Vietnamese)"), max_length=500)
    title_en = models.CharField(_("title (English)"), max_length=500, blank=True)
    document_number = models.CharField(_("document number"), max_length=64, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    issuing_body_vi = models.CharField(_("issuing body (Vietnamese)"), max_length=255)
    issuing_body_en = models.CharField(_("issuing body (English)"), max_length=255, blank=True)
    legal_basis = models.JSONField(_("legal basis"), default=list, blank=True)
    horizon_years = models.JSONField(_("horizon years"), default=list)
    source_file = models.CharField(_("source document"), max_length=128, blank=True)
    # The text every target's source sentence is checked against (targets/validation.py).
    # Blank for a plan loaded before documents were attached: its quotes are then unchecked,
    # and the import says so.
    document_text = models.TextField(
        _("document text"), blank=True,
        help_text=_("The plan document's text (pasted, or extracted from the uploaded .txt, "
                    ".docx or .pdf). Every target's source sentence must occur in it."),
    )
    note_vi = models.TextField(_("note (Vietnamese)"), blank=True)
    note_en = models.TextField(_("note (English)"), blank=True)

    class Meta:
        ordering = ["city__code", "code"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def issuing_body(self) -> str:
        return localized(self, "issuing_body")


class PillarKind(models.TextChoices):
    PILLAR = "pillar", _("Pillar")
    FOUNDATION = "foundation", _("Foundation group")


class Pillar(BilingualNameMixin, models.Model):
    """Digital government, economy or society, or one of plan 11/KH-UBND's foundation groups."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=PillarKind.choices)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("pillar")
        verbose_name_plural = _("pillars")

    def __str__(self) -> str:
        return self.name


class NationalIndicator(BilingualNameMixin, models.Model):
    """An indicator of the national programme (Decision 749/QĐ-TTg) that several cities measure."""

    code = models.CharField(_("code"), max_length=64, unique=True)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=500)
    name_en = models.CharField(_("name (English)"), max_length=500, blank=True)
    decision = models.CharField(_("source decision"), max_length=64, default="749/QĐ-TTg")

    class Meta:
        ordering = ["code"]
        verbose_name = _("national indicator")
        verbose_name_plural = _("national indicators")

    def __str__(self) -> str:
        return self.name


class Measure(models.TextChoices):
    PERCENT = "percent", _("Percent")
    COUNT = "count", _("Count")
    RATE_PER_1000 = "rate_per_1000", _("Rate per 1,000 inhabitants")
    MONEY_VND = "money_vnd", _("Money (VND)")
    RANK = "rank", _("Rank")
    MILESTONE = "milestone", _("Milestone")


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class Aggregation(models.TextChoices):
    SUM = "sum", _("Sum of the units' values")
    MEAN = "mean", _("Mean of the units' values")
    WEIGHTED = "weighted", _("Weighted by the units' denominators")
    SHARE_MEETING = "share_meeting", _("Share of units meeting the target")
    CONSOLIDATED = "consolidated", _("Consolidated: one unit's figure is the city's value")
    SHARE_OF_UNITS = "share_of_units", _(
        "Share of the level's units whose own figure meets the unit threshold"
    )


# Rules whose value is a percentage of units, whatever the indicator measures.
SHARE_RULES = frozenset({Aggregation.SHARE_MEETING, Aggregation.SHARE_OF_UNITS})


class Frequency(models.TextChoices):
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")


class Indicator(BilingualNameMixin, models.Model):
    """What is measured, how, and how unit values combine into a city value."""

    code = models.SlugField(_("code"), max_length=96, unique=True)
    pillar = models.ForeignKey(
        Pillar, verbose_name=_("pillar"), on_delete=models.PROTECT, related_name="indicators"
    )
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=500)
    name_en = models.CharField(_("name (English)"), max_length=500, blank=True)
    measure = models.CharField(_("measure"), max_length=16, choices=Measure.choices)
    direction = models.CharField(
        _("direction"), max_length=8, choices=Direction.choices, default=Direction.HIGHER
    )
    aggregation = models.CharField(
        _("aggregation"), max_length=16, choices=Aggregation.choices, default=Aggregation.MEAN
    )
    fraction = models.BooleanField(
        _("reported as a fraction"), default=False,
        help_text=_("Units report a numerator and a denominator (for example 9/33)."),
    )
    national_indicator = models.ForeignKey(
        NationalIndicator, verbose_name=_("national indicator"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="indicators",
    )
    frequency = models.CharField(
        _("reporting frequency"), max_length=16, choices=Frequency.choices,
        default=Frequency.QUARTERLY,
        help_text=_("Yearly indicators (rankings, shares of GRDP) are reported in yearly "
                    "periods only; quarterly ones in quarters."),
    )
    reports_change = models.BooleanField(
        _("reports the change from a baseline"), default=False,
        help_text=_("Units report the percentage reduced or increased so far, not the level "
                    "itself. Only then may a 'reduce by' or 'increase by' target be judged without "
                    "a baseline."),
    )

    class Meta:
        ordering = ["pillar__order", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return self.name

    def definition_versions(self) -> list["DefinitionVersion"]:
        """The definition as first catalogued (its name), then each later one by date."""
        versions = [DefinitionVersion(self.name_vi, self.name_en)]
        for d in sorted(self.definitions.all(), key=lambda d: d.effective_from):
            versions.append(DefinitionVersion(d.text_vi, d.text_en, d.effective_from,
                                              d.document_number, d))
        return versions

    def definition_on(self, day: date) -> "DefinitionVersion":
        """The definition in force on `day`: a figure is read with the definition of its
        period's last day."""
        return in_force_on(self.definition_versions(), day)

    def unit_of_measure(self) -> str:
        """Short label of the unit of measure, for forms and tables."""
        return {
            Measure.PERCENT: "%",
            Measure.COUNT: str(_("count")),
            Measure.RATE_PER_1000: str(_("per 1,000 inhabitants")),
            Measure.MONEY_VND: "VND",
            Measure.RANK: str(_("rank")),
            Measure.MILESTONE: str(_("milestone")),
        }[self.measure]


class Level(models.TextChoices):
    CITY = "city", _("City level")
    DISTRICT = "district", _("District level")
    COMMUNE = "commune", _("Commune level")
    DEPARTMENT = "department", _("Departments and agencies")
    HOSPITAL = "hospital", _("Hospitals and health centres")
    SCHOOL = "school", _("Schools and training institutions")


# Administrative levels that ceased to exist, and the first day they no longer did: the
# district level ended with the 2025 reorganisation (Luật Tổ chức chính quyền địa phương 2025,
# in force 1 July 2025). Targets at such a level are not judged on figures after that day.
LEVEL_ABOLISHED_ON = {Level.DISTRICT: date(2025, 7, 1)}


class Comparator(models.TextChoices):
    AT_LEAST = "at_least", _("at least")
    MORE_THAN = "more_than", _("more than")
    AT_MOST = "at_most", _("at most")
    LESS_THAN = "less_than", _("less than")
    TOP_N = "top_n", _("within the top N")
    # "N %" is not a format placeholder:
    # xgettext:no-python-format
    REDUCE_BY = "reduce_by", _("reduce by N % from the baseline")
    # xgettext:no-python-format
    INCREASE_BY = "increase_by", _("increase by N % from the baseline")
    MILESTONE = "milestone", _("milestone reached")


RELATIVE_COMPARATORS = frozenset({Comparator.REDUCE_BY, Comparator.INCREASE_BY})


class BaselineSource(models.TextChoices):
    DOCUMENT = "document", _("From the plan's document")
    ENTERED = "entered", _("Entered by DOIT (not from the document)")
    NEEDED = "needed", _("Baseline needed: the document gives none")


COMPARATOR_SYMBOLS = {
    Comparator.AT_LEAST: "≥",
    Comparator.MORE_THAN: ">",
    Comparator.AT_MOST: "≤",
    Comparator.LESS_THAN: "<",
    Comparator.TOP_N: "top",
    Comparator.REDUCE_BY: "−",
    Comparator.INCREASE_BY: "+",
    Comparator.MILESTONE: "✓",
}


class Target(models.Model):
    """An indicator's value to reach by a year in a plan, at one administrative level."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="targets"
    )
    code = models.SlugField(_("code"), max_length=96)
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="targets"
    )
    year = models.PositiveSmallIntegerField(_("target year"))
    level = models.CharField(_("level"), max_length=16, choices=Level.choices, default=Level.CITY)
    comparator = models.CharField(_("comparator"), max_length=16, choices=Comparator.choices)
    value = models.DecimalField(
        _("target value"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    baseline_value = models.DecimalField(
        _("baseline value"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    baseline_source = models.CharField(
        _("baseline source"), max_length=16, choices=BaselineSource.choices, blank=True,
    )
    aggregation = models.CharField(
        _("how unit figures combine"), max_length=16, choices=Aggregation.choices, blank=True,
        help_text=_("Blank: the indicator's rule. Set it when the plan's sentence reads "
                    "otherwise, e.g. one department consolidates the city's figure."),
    )
    unit_comparator = models.CharField(
        _("each unit must be"), max_length=16, choices=Comparator.choices, blank=True,
        help_text=_("For 'share of units': what each unit's own figure must reach."),
    )
    unit_value = models.DecimalField(
        _("each unit's threshold"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    responsible_units = models.ManyToManyField(
        "units.Unit", verbose_name=_("responsible units"), related_name="targets", blank=True
    )
    # Kinds ("commune", "district") are kept as kinds and resolved per period, so a unit
    # created after the plan owes reports from its start.
    responsible_kinds = models.JSONField(_("responsible kinds of unit"), default=list,
                                         blank=True)
    reading_vi = models.TextField(_("measurable reading (Vietnamese)"), blank=True)
    reading_en = models.TextField(_("measurable reading (English)"), blank=True)
    source_sentence = models.TextField(_("source sentence"))
    source_file = models.CharField(_("source document"), max_length=128)

    class Meta:
        ordering = ["plan__code", "year", "indicator__pillar__order", "indicator__code", "level"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="target_code_unique_in_plan")
        ]

    def __str__(self) -> str:
        return f"{self.indicator.name} {self.describe()} ({self.year})"

    @property
    def reading(self) -> str:
        return localized(self, "reading")

    @property
    def combination(self) -> str:
        """How unit figures form this target's value: its own rule, else the indicator's."""
        return self.aggregation or self.indicator.aggregation

    def needs_baseline(self) -> bool:
        """Whether the target is a change from a baseline that it does not have."""
        return (
            self.comparator in RELATIVE_COMPARATORS
            and self.baseline_value is None
            and not self.indicator.reports_change
        )

    @property
    def level_abolished_on(self) -> date | None:
        """The day the target's administrative level ceased to exist, if it did."""
        return LEVEL_ABOLISHED_ON.get(self.level)

    def versions(self) -> list["TargetVersion"]:
        """The plan's version, then each amendment in the order it came into force."""
        versions = [TargetVersion(self.comparator, self.value, self.year)]
        for a in sorted(self.amendments.all(), key=lambda a: a.effective_from):
            versions.append(TargetVersion(a.comparator, a.value, a.year, a.retires,
                                          a.effective_from, a.document_number))
        return versions

    def version_on(self, day: date) -> "TargetVersion":
        """The version in force on `day`: a period is judged against the version in force
        on its last day."""
        return in_force_on(self.versions(), day)

    def retirement(self, day: date | None = None) -> "TargetVersion | None":
        """The version that retired the target, if it is retired on `day` (default today)."""
        version = self.version_on(day or timezone.localdate())
        return version if version.retired else None

    @property
    def retired_by(self) -> str | None:
        """The document that retired the target, if it is retired today."""
        retirement = self.retirement()
        return retirement.document_number if retirement else None

    @property
    def retired_from(self) -> date | None:
        retirement = self.retirement()
        return retirement.effective_from if retirement else None

    def describe(self) -> str:
        """The comparator and value in words, e.g. '≥ 80 %' or 'top 10'."""
        return self.describe_version(None)

    def describe_version(self, version: "TargetVersion | None") -> str:
        """describe() of one version (None: the plan's own), e.g. '≥ 90 %'."""
        comparator = self.comparator if version is None else version.comparator
        value = self.value if version is None else version.value
        if comparator == Comparator.MILESTONE:
            return str(_("milestone reached"))
        value = "" if value is None else f"{value.normalize():f}"
        if comparator == Comparator.TOP_N:
            return f"top {value}"
        unit = "%" if self.indicator.measure == "percent" else ""
        if comparator in RELATIVE_COMPARATORS or self.combination in SHARE_RULES:
            unit = "%"
        text = f"{COMPARATOR_SYMBOLS[comparator]} {value}{(' ' + unit) if unit else ''}"
        if self.combination == Aggregation.SHARE_OF_UNITS and self.unit_comparator:
            text += " " + str(_("of units with %(rule)s")) % {"rule": self.describe_unit_rule()}
        return text

    def describe_unit_rule(self) -> str:
        """What each unit's own figure must reach for 'share of units', e.g. '≥ 1'."""
        if not self.unit_comparator:
            return ""
        if self.unit_comparator == Comparator.MILESTONE:
            return str(_("milestone reached"))
        value = "" if self.unit_value is None else f"{self.unit_value.normalize():f}"
        return f"{COMPARATOR_SYMBOLS[self.unit_comparator]} {value}"


class ChangeAction(models.TextChoices):
    CREATED = "created", _("Created")
    UPDATED = "updated", _("Changed")


class ChangeSource(models.TextChoices):
    IMPORT = "import", _("Plan import (Excel)")
    ADMIN = "admin", _("Admin")
    AMENDMENT = "amendment", _("Amendment by a later document")
    DEFINITION = "definition", _("Definition changed by a document")


class CatalogueChange(models.Model):
    """One recorded edit of a plan, an indicator or a target: who, when, old → new."""

    at = models.DateTimeField(_("at"), auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="catalogue_changes",
    )
    action = models.CharField(_("action"), max_length=16, choices=ChangeAction.choices)
    source = models.CharField(_("source"), max_length=16, choices=ChangeSource.choices)
    plan = models.ForeignKey(Plan, verbose_name=_("plan"), null=True, blank=True,
                             on_delete=models.CASCADE, related_name="changes")
    indicator = models.ForeignKey(Indicator, verbose_name=_("indicator"), null=True, blank=True,
                                  on_delete=models.CASCADE, related_name="changes")
    target = models.ForeignKey(Target, verbose_name=_("target"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="changes")
    # {field: [old, new]} as text, so a later change of the field's type cannot break it.
    changes = models.JSONField(_("changes"), default=dict)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("catalogue change")
        verbose_name_plural = _("catalogue changes")

    def __str__(self) -> str:
        subject = self.target or self.indicator or self.plan
        return f"{self.at:%Y-%m-%d %H:%M} · {self.get_action_display()} · {subject}"


class InForceByDocument(models.Model):
    """A later document's change, in force from a day, recorded with who entered it and when;
    what was in force before stays (in_force_on picks the version of a day)."""

    document_number = models.CharField(_("document"), max_length=64)
    document_title = models.CharField(_("document title"), max_length=500, blank=True)
    effective_from = models.DateField(_("in force from"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="%(class)s_records",
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        abstract = True


class TargetAmendment(InForceByDocument):
    """A later document changes a target from a date; the version before stays as it was.

    Periods ending before `effective_from` are judged against the version then in force,
    later ones against this one (Target.version_on).
    """

    target = models.ForeignKey(Target, verbose_name=_("target"), on_delete=models.CASCADE,
                               related_name="amendments")
    document_number = models.CharField(_("amending document"), max_length=64)
    comparator = models.CharField(_("comparator"), max_length=16, choices=Comparator.choices)
    value = models.DecimalField(_("target value"), max_digits=20, decimal_places=4, null=True,
                                blank=True)
    year = models.PositiveSmallIntegerField(_("target year"))
    retires = models.BooleanField(
        _("retires the target"), default=False,
        help_text=_("The document ends the target from that date; its results stay."))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["target", "effective_from", "pk"]
        verbose_name = _("target amendment")
        verbose_name_plural = _("target amendments")
        constraints = [
            models.UniqueConstraint(fields=["target", "effective_from"],
                                    name="one_amendment_per_target_and_day")
        ]

    def __str__(self) -> str:
        return f"{self.target.code} · {self.document_number} · {self.effective_from}"


@dataclass(frozen=True)
class TargetVersion:
    """What a target asks in force from a day (None: the plan's own version)."""

    comparator: str
    value: object
    year: int
    retired: bool = False
    effective_from: date | None = None
    document_number: str = ""


class IndicatorDefinition(InForceByDocument):
    """A later definition of an indicator, in force from a date by a document.

    Example: online public services "mức độ 3, 4" became "toàn trình / một phần" under
    Nghị định 42/2022/NĐ-CP. The earlier definition stays: figures of periods before
    `effective_from` are read with it (Indicator.definition_on).
    """

    indicator = models.ForeignKey(Indicator, verbose_name=_("indicator"),
                                  on_delete=models.CASCADE, related_name="definitions")
    text_vi = models.TextField(_("definition (Vietnamese)"))
    text_en = models.TextField(_("definition (English)"), blank=True)

    class Meta:
        ordering = ["indicator", "effective_from", "pk"]
        verbose_name = _("indicator definition")
        verbose_name_plural = _("indicator definitions")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "effective_from"],
                                    name="one_definition_per_indicator_and_day")
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} · {self.document_number} · {self.effective_from}"

    @property
    def text(self) -> str:
        return localized(self, "text")


@dataclass(frozen=True)
class DefinitionVersion:
    """An indicator's definition in force from a day (None: as first catalogued)."""

    text_vi: str
    text_en: str
    effective_from: date | None = None
    document_number: str = ""
    record: "IndicatorDefinition | None" = None

    @property
    def text(self) -> str:
        return localized(self, "text")
