from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from reporting.models import ApprovedFigure, Period, ReminderLog, Report, ReportEvent, ReportLine


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    """DOIT locks a period here once its figures are final (locked periods accept no figures)."""

    list_display = ("__str__", "kind", "starts_on", "ends_on", "opens_on", "deadline", "is_locked")
    list_editable = ("is_locked",)
    list_filter = ("kind", "is_locked", "year")


class ReportLineInline(admin.TabularInline):
    model = ReportLine
    extra = 0
    readonly_fields = ("indicator", "value", "numerator", "denominator", "milestone_state",
                       "comment", "evidence_file", "evidence_url", "warning")
    can_delete = False


class ReportEventInline(admin.TabularInline):
    model = ReportEvent
    extra = 0
    readonly_fields = ("action", "actor", "at", "revision", "channel", "reason", "changes")
    can_delete = False


@admin.register(Report)
class ReportAdmin(SimpleHistoryAdmin):
    """Read-only: every change goes through the services (the pages, the API)."""

    list_display = ("unit", "period", "state", "revision", "is_overdue", "is_demo", "updated_at")
    list_filter = ("state", "is_overdue", "is_demo", "period")
    search_fields = ("unit__code", "unit__name_vi")
    inlines = [ReportLineInline, ReportEventInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(ApprovedFigure)
class ApprovedFigureAdmin(admin.ModelAdmin):
    list_display = ("indicator", "unit", "period", "value", "origin", "revision", "superseded_at")
    list_filter = ("origin", "period")
    search_fields = ("indicator__code", "unit__code")


@admin.register(ReminderLog)
class ReminderLogAdmin(admin.ModelAdmin):
    list_display = ("unit", "period", "sent_on", "sent_at")
