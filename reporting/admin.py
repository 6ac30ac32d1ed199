from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from dxtracker.audit import ReadOnlyAdminMixin
from reporting.models import ApprovedFigure, Period, ReminderLog, Report, ReportEvent, ReportLine


@admin.register(Period)
class PeriodAdmin(SimpleHistoryAdmin):
    """DOIT locks a period here once its figures are final (locked periods accept no figures).
    Every lock, unlock and date change is kept in its history: who, when, old → new."""

    list_display = ("__str__", "kind", "starts_on", "ends_on", "opens_on", "deadline", "is_locked")
    list_editable = ("is_locked",)
    list_filter = ("kind", "is_locked", "year")


class ReportLineInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ReportLine
    extra = 0
    readonly_fields = ("indicator", "value", "numerator", "denominator", "milestone_state",
                       "comment", "evidence_file", "evidence_url", "warning")
    can_delete = False


class ReportEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ReportEvent
    extra = 0
    fields = ("action", "actor_name", "actor", "at", "revision", "channel", "reason", "changes")
    readonly_fields = fields
    can_delete = False


@admin.register(Report)
class ReportAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Read-only, even for the superuser: every change goes through the services (the pages,
    the API), which leave an event; a correction after approval is reopen → approve."""

    list_display = ("unit", "period", "state", "revision", "is_overdue", "is_demo", "updated_at")
    list_filter = ("state", "is_overdue", "is_demo", "period")
    search_fields = ("unit__code", "unit__name_vi")
    inlines = [ReportLineInline, ReportEventInline]


@admin.register(ApprovedFigure)
class ApprovedFigureAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only, even for the superuser: figures are approved (and superseded, never
    deleted) by the reporting services only."""

    list_display = ("indicator", "unit", "period", "value", "origin", "revision", "superseded_at")
    list_filter = ("origin", "period")
    search_fields = ("indicator__code", "unit__code")


@admin.register(ReminderLog)
class ReminderLogAdmin(admin.ModelAdmin):
    list_display = ("unit", "period", "sent_on", "sent_at")
