"""Admin for the engine's log: recompute runs (state, age, error) and the recompute outbox.

Both are written by the engine only; the admin reads them.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from attainment.models import RecomputeRequest, RecomputeRun


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RecomputeRun)
class RecomputeRunAdmin(ReadOnlyAdmin):
    list_display = ("started_at", "age", "status", "dataset", "trigger", "target_count",
                    "row_count", "finished_at", "short_error")
    list_filter = ("status", "dataset", "trigger")
    date_hierarchy = "started_at"

    @admin.display(description=_("age"), ordering="-started_at")
    def age(self, obj: RecomputeRun) -> str:
        return obj.age_display()

    @admin.display(description=_("error"))
    def short_error(self, obj: RecomputeRun) -> str:
        return obj.error[:120]


@admin.register(RecomputeRequest)
class RecomputeRequestAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "dataset", "target_count", "dispatched_at", "dispatch_count",
                    "done_at", "run")
    list_filter = ("dataset", ("done_at", admin.EmptyFieldListFilter))
    list_select_related = ("run",)

    @admin.display(description=_("targets"))
    def target_count(self, obj: RecomputeRequest) -> int:
        return len(obj.target_ids)
