"""Stored results of the attainment engine. Pages and the API read these; they never compute."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

# Dataset lives with the reports (official vs demo figures); imported here because every
# stored result carries one.
from reporting.models import Dataset, MilestoneState


class Status(models.TextChoices):
    ACHIEVED = "achieved", _("Achieved")
    ON_TRACK = "on_track", _("On track")
    NEEDS_ACCELERATION = "needs_acceleration", _("Needs acceleration")
    LIMITED_PROGRESS = "limited_progress", _("Limited progress")
    DETERIORATING = "deteriorating", _("Deteriorating")
    NOT_ACHIEVED = "not_achieved", _("Not yet achieved")
    AWAITING_FINAL = "awaiting_final", _("Awaiting final figures")
    MISSED = "missed", _("Missed")
    INCOMPLETE_DATA = "incomplete_data", _("Incomplete data")
    BASELINE_NEEDED = "baseline_needed", _("Baseline needed")
    LEVEL_ABOLISHED = "level_abolished", _("Level abolished")
    RETIRED = "retired", _("Retired")
    INSUFFICIENT_DATA = "insufficient_data", _("Insufficient data")


class Scope(models.TextChoices):
    UNIT = "unit", _("One responsible unit")
    COMBINED = "combined", _("All responsible units combined")


class TargetAttainment(models.Model):
    """How far a target is reached, as of a period, for one unit or all units combined."""

    dataset = models.CharField(_("dataset"), max_length=8, choices=Dataset.choices)
    # Results are derived and fully recomputable, and a full run writes a row per (target,
    # unit, period): the database checks no foreign key and keeps no index of its own for
    # these three (each cost a lookup or an index insert per row written). Django still
    # cascades deletes of a target, unit or period (its collector, in Python); a target's rows
    # are found by attainment_unique, which leads with it.
    target = models.ForeignKey(
        "targets.Target", verbose_name=_("target"), on_delete=models.CASCADE,
        related_name="attainments", db_constraint=False, db_index=False,
    )
    scope = models.CharField(_("scope"), max_length=8, choices=Scope.choices)
    # For the combined scope this is the plan's city.
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+",
        db_constraint=False, db_index=False,
    )
    period = models.ForeignKey(
        "reporting.Period", verbose_name=_("as of period"), on_delete=models.CASCADE,
        related_name="+", db_constraint=False, db_index=False,
    )
    is_latest = models.BooleanField(_("latest"), default=False)
    actual_value = models.FloatField(_("actual value"), null=True, blank=True)
    numerator = models.FloatField(_("numerator"), null=True, blank=True)
    denominator = models.FloatField(_("denominator"), null=True, blank=True)
    n_units = models.PositiveIntegerField(_("units with figures"), default=0)
    effective_target = models.FloatField(_("effective target"), null=True, blank=True)
    attainment_pct = models.FloatField(_("attainment %"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=24, choices=Status.choices)
    ratio = models.FloatField(_("ratio R"), null=True, blank=True)
    observed_rate = models.FloatField(_("observed yearly rate"), null=True, blank=True)
    required_rate = models.FloatField(_("required yearly rate"), null=True, blank=True)
    projected_cagr = models.FloatField(_("projection (growth rate)"), null=True, blank=True)
    projected_linear = models.FloatField(_("projection (linear)"), null=True, blank=True)
    required_rate_from_now = models.FloatField(_("yearly rate needed from now"), null=True,
                                               blank=True)
    required_step_from_now = models.FloatField(_("yearly change needed from now"), null=True,
                                               blank=True)
    places_gained = models.FloatField(_("places gained"), null=True, blank=True)
    base_value = models.FloatField(_("base value"), null=True, blank=True)
    base_t = models.FloatField(_("base time"), null=True, blank=True)
    n_observations = models.PositiveIntegerField(_("observations"), default=0)
    stale = models.BooleanField(
        _("stale"), default=False,
        help_text=_("The verdict rests on a figure more than a year older than its date."),
    )
    # Figures after the target year: where things stand now, never part of the verdict.
    since_deadline_value = models.FloatField(_("value since the deadline"), null=True,
                                             blank=True)
    since_deadline_t = models.FloatField(_("time of the value since the deadline"), null=True,
                                         blank=True)
    # Coverage of a combined value: units that reported for the period / units owing it
    # (None for a city's own figure, which answers no unit's duty).
    units_reported = models.PositiveIntegerField(_("units reported"), null=True, blank=True)
    units_expected = models.PositiveIntegerField(_("units expected"), null=True, blank=True)
    # Ranks: how many were ranked in the field the target was set in ("top 10 of 63"), and
    # whether the latest rank was ranked in another field (34 provinces after 2025).
    rank_field = models.FloatField(_("ranked among"), null=True, blank=True)
    not_comparable = models.BooleanField(_("not comparable"), default=False)
    ranked_among = models.FloatField(_("ranked among (this figure)"), null=True, blank=True)
    # The value formed for this row's period itself, judged or not (a figure of 2026 for a
    # 2025 target, a rank among 34): what charts draw. actual_value is what the verdict uses.
    period_value = models.FloatField(_("value of the period"), null=True, blank=True)
    lower_bound = models.BooleanField(
        _("lower bound"), default=False,
        help_text=_("The value rests on a figure the document gives only as a floor."),
    )
    expected_now = models.FloatField(_("expected value now"), null=True, blank=True)
    milestone_state = models.CharField(_("milestone state"), max_length=16, blank=True,
                                       choices=MilestoneState.choices)
    derived = models.BooleanField(
        _("derived"), default=False,
        help_text=_("The value rests on a figure inferred from the document, not stated in it."),
    )
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("target attainment")
        verbose_name_plural = _("target attainments")
        # Four indexes, each for a read that needs it (docs/benchmarks.md, "The results
        # table's indexes"): every other index slowed each row a full run writes.
        constraints = [
            # Target first: a target's rows (its series, the rows an approval rewrites, the
            # cascade when a target is deleted) whatever the dataset. The text columns last:
            # a full run sorts every row of a dataset to build it (migration 0014).
            models.UniqueConstraint(
                fields=["target", "period", "unit", "dataset", "scope"],
                name="attainment_unique",
            )
        ]
        indexes = [
            # What the pages and the API read: the latest rows of a set of targets (city,
            # plan, target detail) or of one unit (unit view), without walking every period.
            models.Index(fields=["dataset", "scope", "target", "unit"],
                         condition=models.Q(is_latest=True), name="attainment_latest_target"),
            models.Index(fields=["dataset", "scope", "unit"],
                         condition=models.Q(is_latest=True), name="attainment_latest_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.target_id}/{self.unit_id}/{self.period_id}: {self.status}"

    @property
    def coverage_pct(self) -> float | None:
        """Units reported as a percentage of units owing, when coverage applies."""
        if not self.units_expected:
            return None
        return 100.0 * (self.units_reported or 0) / self.units_expected


class RollupScope(models.TextChoices):
    CITY = "city", _("City")
    PLAN = "plan", _("Plan")
    PILLAR = "pillar", _("Pillar within a plan")
    UNIT = "unit", _("Responsible unit")


class Rollup(models.Model):
    """Targets counted by status and mean attainment for a city, plan, pillar or unit."""

    dataset = models.CharField(_("dataset"), max_length=8, choices=Dataset.choices)
    scope = models.CharField(_("scope"), max_length=8, choices=RollupScope.choices)
    # "official|plan=3|pillar=1|year=2025": one row per scope, filters and dataset.
    key = models.CharField(_("key"), max_length=200)
    city = models.ForeignKey(
        "units.Unit", verbose_name=_("city"), on_delete=models.CASCADE, related_name="+"
    )
    plan = models.ForeignKey(
        "targets.Plan", verbose_name=_("plan"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="+",
    )
    pillar = models.ForeignKey(
        "targets.Pillar", verbose_name=_("pillar"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="+",
    )
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="+",
    )
    target_year = models.PositiveSmallIntegerField(_("target year"), null=True, blank=True)
    n_targets = models.PositiveIntegerField(_("targets"), default=0)
    status_counts = models.JSONField(_("targets by status"), default=dict)
    mean_attainment = models.FloatField(_("mean attainment %"), null=True, blank=True)
    # Sums over the combined results counted: units that reported of units owing.
    units_reported = models.PositiveIntegerField(_("units reported"), default=0)
    units_expected = models.PositiveIntegerField(_("units expected"), default=0)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("rollup")
        verbose_name_plural = _("rollups")
        constraints = [
            models.UniqueConstraint(fields=["dataset", "key"], name="rollup_unique_key")
        ]

    def __str__(self) -> str:
        return self.key


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    # The worker running it was killed (or lost) before it could say how it ended.
    DIED = "died", _("Died")


class RecomputeRun(models.Model):
    """A log line per recompute: what triggered it, how much it touched, how long it took."""

    dataset = models.CharField(_("dataset"), max_length=8, choices=Dataset.choices)
    trigger = models.CharField(_("trigger"), max_length=32)
    status = models.CharField(
        _("status"), max_length=8, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    error = models.TextField(_("error"), blank=True, default="")
    target_count = models.PositiveIntegerField(_("targets"), default=0)
    row_count = models.PositiveIntegerField(_("rows written"), default=0)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("recompute run")
        verbose_name_plural = _("recompute runs")
        indexes = [models.Index(fields=["status", "started_at"])]

    def __str__(self) -> str:
        return f"{self.trigger} {self.started_at:%Y-%m-%d %H:%M}"

    def age_display(self) -> str:
        """How long ago the run started, in the reader's language (largest whole unit)."""
        minutes = int((timezone.now() - self.started_at).total_seconds() // 60)
        if minutes >= 24 * 60:
            n = minutes // (24 * 60)
            return ngettext("%(n)d day", "%(n)d days", n) % {"n": n}
        if minutes >= 60:
            n = minutes // 60
            return ngettext("%(n)d hour", "%(n)d hours", n) % {"n": n}
        return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}


class RecomputeRequest(models.Model):
    """The outbox of recomputes: written in the transaction that makes one necessary (an
    approval), so a broker that is down when it commits delays the recompute but never loses
    it. Pending until a run of it finished (done_at)."""

    dataset = models.CharField(_("dataset"), max_length=8, choices=Dataset.choices)
    target_ids = models.JSONField(_("targets"), default=list)
    # [target id, unit id, period id] of every figure cell the approval changed, so the run
    # rewrites only what those cells reach; empty (a catalogue edit, a plan import) means the
    # whole targets.
    changes = models.JSONField(_("changed figures"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    dispatched_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    dispatch_count = models.PositiveIntegerField(_("times queued"), default=0)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    run = models.ForeignKey(
        RecomputeRun, verbose_name=_("run"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="requests",
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("recompute request")
        verbose_name_plural = _("recompute requests")
        indexes = [
            models.Index(
                fields=["dataset", "created_at"], name="recompute_request_pending",
                condition=models.Q(done_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.dataset} {len(self.target_ids)} targets {self.created_at:%Y-%m-%d %H:%M}"
