from django.contrib import admin

from leaders.models import ReportMailDelivery, ReportMailing, ReportMailOptOut


@admin.register(ReportMailing)
class ReportMailingAdmin(admin.ModelAdmin):
    list_display = ["city", "period", "sent_at"]
    list_filter = ["city"]
    readonly_fields = ["city", "period", "sent_at", "recipients"]


@admin.register(ReportMailDelivery)
class ReportMailDeliveryAdmin(admin.ModelAdmin):
    """The sent-log: read-only, since deleting a row would send that reader the report again."""

    list_display = ["mailing", "email", "sent_at"]
    list_filter = ["mailing__city", "mailing__period"]
    search_fields = ["email"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReportMailOptOut)
class ReportMailOptOutAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    raw_id_fields = ["user"]
