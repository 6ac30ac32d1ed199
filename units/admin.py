"""Admin for reporting units (a tree over time) and users' memberships in them."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from units.models import Membership, Unit, UnitKind


class CityFilter(admin.SimpleListFilter):
    """Only province-level units are cities; listing every unit would drown the filter."""

    title = _("city / province")
    parameter_name = "city"

    def lookups(self, request, model_admin):
        return [(u.pk, u.name) for u in Unit.objects.filter(kind=UnitKind.PROVINCE)]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(city_id=self.value())
        return queryset


class ValidityFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("valid", _("exists today")), ("dissolved", _("dissolved or merged"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "valid":
            return queryset.existing(today)
        if self.value() == "dissolved":
            return queryset.ceased_by(today)
        return queryset


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("code", "display_name", "kind", "parent", "city", "valid_from", "valid_to",
                    "successor")
    list_filter = ("kind", CityFilter, ValidityFilter)
    search_fields = ("code", "name_vi", "name_en")
    list_select_related = ("parent", "city", "successor")
    autocomplete_fields = ("parent", "city", "successor")
    fieldsets = (
        (None, {"fields": ("code", "name_vi", "name_en", "kind", "email")}),
        (_("Place in the tree"), {"fields": ("parent", "city")}),
        (_("Validity"), {"fields": ("valid_from", "valid_to", "successor", "note")}),
    )

    @admin.display(description=_("name"), ordering="name_vi")
    def display_name(self, obj):
        return obj.name


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    """Roles give access to a city's data: granting and withdrawing them is kept in history."""

    list_display = ("user", "unit", "role", "created_at")
    list_filter = ("role", ("unit", admin.RelatedOnlyFieldListFilter))
    search_fields = ("user__username", "user__email", "unit__code", "unit__name_vi",
                     "unit__name_en")
    list_select_related = ("user", "unit")
    autocomplete_fields = ("user", "unit")
