from django.contrib import admin

from leaders.models import ReportMailing, ReportMailOptOut


@admin.register(ReportMailing)
class ReportMailingAdmin(admin.ModelAdmin):
    list_display = ["city", "period", "sent_at"]
    list_filter = ["city"]
    readonly_fields = ["city", "period", "sent_at", "recipients"]


@admin.register(ReportMailOptOut)
class ReportMailOptOutAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    raw_id_fields = ["user"]
