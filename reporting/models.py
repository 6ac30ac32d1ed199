"""Reporting periods, units' progress reports, their history, and the approved figures."""

from datetime import date, datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dxtracker.i18n import localized


class Dataset(models.TextChoices):
    # Official = figures from the source documents and approved reports; demo figures are
    # computed apart so that the two never mix in one number.
    OFFICIAL = "official", _("Official figures")
    DEMO = "demo", _("Demo data")


class PeriodKind(models.TextChoices):
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class Period(models.Model):
    """A reporting period: a quarter, or a year for indicators measured once a year."""

    kind = models.CharField(_("kind"), max_length=8, choices=PeriodKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), null=True, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    opens_on = models.DateField(_("open for reporting from"))
    deadline = models.DateField(_("deadline"))
    is_locked = models.BooleanField(
        _("locked"), default=False, help_text=_("A locked period accepts no new figures.")
    )
    # Locking and unlocking a period (and moving its deadline) is kept: who, when, old → new.
    history = HistoricalRecords()

    class Meta:
        ordering = ["starts_on", "kind"]
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        constraints = [
            models.UniqueConstraint(fields=["kind", "year", "quarter"], name="period_unique"),
            models.UniqueConstraint(
                fields=["kind", "year"], condition=Q(quarter__isnull=True),
                name="period_year_unique",
            ),
        ]

    def __str__(self) -> str:
        if self.quarter:
            return _("Q%(q)s/%(y)s") % {"q": self.quarter, "y": self.year}
        return _("Year %(y)s") % {"y": self.year}

    @property
    def code(self) -> str:
        """'2023-Q3' for a quarter, '2023' for a year."""
        return f"{self.year}-Q{self.quarter}" if self.quarter else str(self.year)

    def is_open_on(self, day: date) -> bool:
        """Whether units may enter figures for this period on that day."""
        return not self.is_locked and self.opens_on <= day

    def days_late(self, *, submitted_at: datetime | None, today: date) -> int:
        """Days past the deadline: of the first submission, else of today (0: not late).

        The one lateness rule: the start page's badge, the review queue and the compliance
        records all ask it. The deadline day counts as on time, in local time.
        """
        day = timezone.localdate(submitted_at) if submitted_at is not None else today
        return max((day - self.deadline).days, 0)


class ReportState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for correction")
    APPROVED = "approved", _("Approved")


class Channel(models.TextChoices):
    WEB = "web", _("Web form")
    EXCEL = "excel", _("Excel upload")
    API = "api", _("API")
    SEED = "seed", _("Source document")
    DEMO = "demo", _("Demo data")


class Report(models.Model):
    """A unit's figures for one period, submitted by its staff and reviewed by DOIT."""

    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="reports"
    )
    period = models.ForeignKey(
        Period, verbose_name=_("period"), on_delete=models.PROTECT, related_name="reports"
    )
    state = models.CharField(
        _("state"), max_length=16, choices=ReportState.choices, default=ReportState.DRAFT
    )
    # revision counts approvals cycles (a correction after approval opens revision n+1);
    # version counts every write and is the optimistic-lock token (ETag, hidden form field).
    revision = models.PositiveIntegerField(_("revision"), default=1)
    version = models.PositiveIntegerField(_("version"), default=1)
    correction_reason = models.TextField(_("reason for correction"), blank=True)
    return_reason = models.TextField(_("reason for return"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    first_submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    is_overdue = models.BooleanField(_("overdue"), default=False)
    is_demo = models.BooleanField(_("demo data"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-period__starts_on", "unit__code"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        constraints = [
            # Demo reports live beside real ones: a unit's real report for a period is never
            # blocked (nor replaced) by a demo report of the same period.
            models.UniqueConstraint(
                fields=["unit", "period", "is_demo"], name="report_unique_per_period_and_dataset"
            )
        ]
        indexes = [models.Index(fields=["state", "period"])]

    def __str__(self) -> str:
        return f"{self.unit.code} · {self.period.code}"

    def is_editable(self) -> bool:
        """Whether a reporter may still change the figures."""
        return self.state in (ReportState.DRAFT, ReportState.RETURNED)

    @property
    def days_late(self) -> int:
        """Days the report came (or, unsent, is) past its deadline; see Period.days_late."""
        return self.period.days_late(submitted_at=self.first_submitted_at,
                                     today=timezone.localdate())


class MilestoneState(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


class ReportLine(models.Model):
    """One indicator's figure in a report."""

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="lines"
    )
    indicator = models.ForeignKey(
        "targets.Indicator", verbose_name=_("indicator"), on_delete=models.PROTECT,
        related_name="report_lines",
    )
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=4, null=True, blank=True)
    numerator = models.DecimalField(
        _("numerator"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    denominator = models.DecimalField(
        _("denominator"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    milestone_state = models.CharField(
        _("milestone state"), max_length=16, choices=MilestoneState.choices, blank=True
    )
    comment = models.TextField(_("comment"), blank=True)
    evidence_file = models.FileField(_("evidence file"), upload_to="evidence/%Y/%m/", blank=True)
    evidence_url = models.URLField(_("evidence link"), blank=True, max_length=500)
    warning = models.CharField(_("warning"), max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["report", "indicator__pillar__order", "indicator__code"]
        verbose_name = _("report line")
        verbose_name_plural = _("report lines")
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator"], name="report_line_unique")
        ]

    def __str__(self) -> str:
        return f"{self.report} · {self.indicator.code}"


class ReportAction(models.TextChoices):
    CREATED = "created", _("Created")
    SAVED = "saved", _("Saved")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")
    REOPENED = "reopened", _("Reopened for correction")


class ReportEvent(models.Model):
    """One step of a report's life: who did what, when, why, and which values changed."""

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("action"), max_length=16, choices=ReportAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("by"),
    )
    # The actor's name as it was: it survives the account (the FK is set null on deletion).
    actor_name = models.CharField(_("by (name)"), max_length=150, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)
    revision = models.PositiveIntegerField(_("revision"))
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    reason = models.TextField(_("reason"), blank=True)
    # [{"indicator": code, "field": "value", "old": "80", "new": "85"}, ...]
    changes = models.JSONField(_("changes"), default=list, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("report event")
        verbose_name_plural = _("report events")

    def __str__(self) -> str:
        return f"{self.report_id} {self.action} r{self.revision}"


class FigureOrigin(models.TextChoices):
    REPORT = "report", _("Approved report")
    DOCUMENT = "document", _("Source document")
    DEMO = "demo", _("Demo data")


class ApprovedFigure(models.Model):
    """An approved value of an indicator for a unit and period: what attainment is computed from.

    Superseded figures stay, stamped with superseded_at, so every approved value is kept.
    """

    indicator = models.ForeignKey(
        "targets.Indicator", verbose_name=_("indicator"), on_delete=models.PROTECT,
        related_name="figures",
    )
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="figures"
    )
    period = models.ForeignKey(
        Period, verbose_name=_("period"), on_delete=models.PROTECT, related_name="figures"
    )
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=4, null=True, blank=True)
    numerator = models.DecimalField(
        _("numerator"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    denominator = models.DecimalField(
        _("denominator"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    milestone_state = models.CharField(
        _("milestone state"), max_length=16, choices=MilestoneState.choices, blank=True
    )
    origin = models.CharField(_("origin"), max_length=16, choices=FigureOrigin.choices)
    report = models.ForeignKey(
        Report, verbose_name=_("report"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="figures",
    )
    revision = models.PositiveIntegerField(_("report revision"), default=1)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"))
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)
    derived = models.BooleanField(
        _("derived"), default=False, help_text=_("Computed from the text rather than stated.")
    )
    lower_bound = models.BooleanField(
        _("lower bound"), default=False,
        help_text=_("The document gives only a floor (\"hơn 550\", \"trên 593 triệu\"): the "
                    "actual figure is higher."),
    )
    source_file = models.CharField(_("source document"), max_length=128, blank=True)
    source_sentence = models.TextField(_("source sentence"), blank=True)
    note_vi = models.TextField(_("note (Vietnamese)"), blank=True)
    note_en = models.TextField(_("note (English)"), blank=True)

    class Meta:
        ordering = ["indicator__code", "unit__code", "period__starts_on"]
        verbose_name = _("approved figure")
        verbose_name_plural = _("approved figures")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "unit", "period", "origin"],
                condition=Q(superseded_at__isnull=True),
                name="one_current_figure",
            )
        ]
        indexes = [models.Index(fields=["indicator", "superseded_at"])]

    def __str__(self) -> str:
        return f"{self.indicator.code} · {self.unit.code} · {self.period.code}"

    @property
    def is_demo(self) -> bool:
        return self.origin == FigureOrigin.DEMO

    @property
    def note(self) -> str:
        return localized(self, "note")


class ReminderLog(models.Model):
    """A deadline reminder sent to a unit for a period on a day: at most one per day."""

    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+"
    )
    period = models.ForeignKey(
        Period, verbose_name=_("period"), on_delete=models.CASCADE, related_name="reminders"
    )
    sent_on = models.DateField(_("sent on"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    recipients = models.JSONField(_("recipients"), default=list)

    class Meta:
        ordering = ["-sent_on", "unit__code"]
        verbose_name = _("deadline reminder")
        verbose_name_plural = _("deadline reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "period", "sent_on"], name="one_reminder_per_unit_period_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.period_id} {self.sent_on}"


class Timeliness(models.TextChoices):
    ON_TIME = "on_time", _("On time")
    LATE = "late", _("Late")
    MISSING = "missing", _("Missing")
    PENDING = "pending", _("Not yet due")


class ComplianceRecord(models.Model):
    """Whether a unit's expected report for a period came on time, late, or not at all.

    Computed by reporting/compliance.py from the reports alone (never from figures), so it
    lives with them; until December 2026 it was attainment.ComplianceRecord (same rows, the
    table renamed by attainment 0008 / reporting 0006).
    """

    dataset = models.CharField(_("dataset"), max_length=8, choices=Dataset.choices)
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+"
    )
    period = models.ForeignKey(
        Period, verbose_name=_("period"), on_delete=models.CASCADE, related_name="+"
    )
    timeliness = models.CharField(_("timeliness"), max_length=8, choices=Timeliness.choices)
    submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)
    days_late = models.IntegerField(_("days late"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("reporting compliance")
        verbose_name_plural = _("reporting compliance")
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "unit", "period"], name="compliance_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.period_id}: {self.timeliness}"
