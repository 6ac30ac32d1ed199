"""Reporting units (a tree that changes over time) and who belongs to them."""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dxtracker.i18n import BilingualNameMixin


class UnitKind(models.TextChoices):
    PROVINCE = "province", _("Province / centrally-run city")
    DEPARTMENT = "department", _("Department or agency")
    DISTRICT = "district", _("District")
    COMMUNE = "commune", _("Commune / ward / township")
    HOSPITAL = "hospital", _("Public hospital or health centre")
    SCHOOL = "school", _("Public school")


def existed_during(valid_from: date | None, valid_to: date | None, start: date,
                   end: date | None = None) -> bool:
    """Whether a unit valid over [valid_from, valid_to) exists on some day of [start, end].

    The one rule for "does this unit exist then": the model method, the queryset filter and
    the attainment engine's in-memory units all ask it (end defaults to start: one day).
    """
    end = start if end is None else end
    return (valid_from is None or valid_from <= end) and (valid_to is None or valid_to > start)


def existed_during_q(start: date, end: date | None = None, *, prefix: str = "") -> Q:
    """`existed_during` as a filter; prefix (e.g. 'unit__') filters rows related to a unit."""
    end = start if end is None else end
    return (Q(**{f"{prefix}valid_from__isnull": True})
            | Q(**{f"{prefix}valid_from__lte": end})) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gt": start})
    )


class UnitQuerySet(models.QuerySet):
    def existing(self, start: date, end: date | None = None) -> "UnitQuerySet":
        """Units that exist on some day of [start, end] (on `start` alone without end)."""
        return self.filter(existed_during_q(start, end))

    def ceased_by(self, day: date) -> "UnitQuerySet":
        """Units that no longer exist on `day` (dissolved or merged before it)."""
        return self.filter(valid_to__lte=day)


class Unit(BilingualNameMixin, models.Model):
    """A body that is responsible for targets and reports on them."""

    code = models.CharField(_("code"), max_length=64, unique=True)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    # The province-level unit the unit belongs to (itself for a province); kept denormalised
    # because nearly every permission and dashboard query filters by city.
    city = models.ForeignKey(
        "self", verbose_name=_("city / province"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="city_units",
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(
        _("valid to"), null=True, blank=True,
        help_text=_("First day on which the unit no longer exists (exclusive)."),
    )
    successor = models.ForeignKey(
        "self", verbose_name=_("successor"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="predecessors",
    )
    email = models.EmailField(_("contact e-mail"), blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        # The national viewer's grant (units.access): every city's results, nothing to write.
        permissions = [("read_all_cities", _("National viewer: reads every city's results"))]
        indexes = [models.Index(fields=["city", "kind"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gt=models.F("valid_from")),
                name="unit_valid_range",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if self.kind == UnitKind.PROVINCE:
            self.city = self if self.pk else None
        elif self.parent_id and not self.city_id:
            self.city_id = self.parent.city_id or self.parent_id
        super().save(*args, **kwargs)
        if self.kind == UnitKind.PROVINCE and self.city_id != self.pk:
            Unit.objects.filter(pk=self.pk).update(city=self.pk)
            self.city_id = self.pk

    def exists_during(self, start: date, end: date | None = None) -> bool:
        """Whether the unit exists on some day of [start, end] (on `start` without end)."""
        return existed_during(self.valid_from, self.valid_to, start, end)


class Role(models.TextChoices):
    REPORTER = "reporter", _("Reporter (enters the unit's figures)")
    REVIEWER = "reviewer", _("Reviewer (DOIT: reviews and approves for the city)")
    VIEWER = "viewer", _("Viewer (reads)")
    PLAN_EDITOR = "plan_editor", _("Plan editor (DOIT: imports and amends the city's plans)")


class Membership(models.Model):
    """A user's role in a unit. A reviewer's membership covers every unit of that unit's city."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
        related_name="memberships",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Who granted or withdrew a role, when: access to a city's data is itself audited.
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.unit.code} · {self.get_role_display()}"
