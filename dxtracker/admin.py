"""Accounts in the admin: one that the record names is deactivated when deleted."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from dxtracker.audit import account_deactivate, account_has_history

User = get_user_model()


class AccountAdmin(UserAdmin):
    actions = ["deactivate"]

    @admin.action(description=_("Deactivate the selected accounts (they are kept)"))
    def deactivate(self, request, queryset):
        users = list(queryset.filter(is_active=True))
        for user in users:
            account_deactivate(user=user)
        self.message_user(
            request,
            ngettext("%(n)d account deactivated.", "%(n)d accounts deactivated.", len(users))
            % {"n": len(users)},
            messages.SUCCESS,
        )

    def delete_model(self, request, obj):
        if account_has_history(obj):
            account_deactivate(user=obj)
            request._dx_kept_accounts = [obj]
            return
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        kept = [user for user in queryset if account_has_history(user)]
        for user in kept:
            account_deactivate(user=user)
        request._dx_kept_accounts = kept
        queryset.exclude(pk__in=[u.pk for u in kept]).delete()
        self._say_kept(request)

    def response_delete(self, request, obj_display, obj_id):
        if getattr(request, "_dx_kept_accounts", None):
            self._say_kept(request)
            return HttpResponseRedirect(reverse("admin:auth_user_changelist"))
        return super().response_delete(request, obj_display, obj_id)

    def _say_kept(self, request) -> None:
        kept = getattr(request, "_dx_kept_accounts", [])
        if kept:
            self.message_user(
                request,
                _("Kept and deactivated, because the record names them: %(names)s.")
                % {"names": ", ".join(u.get_username() for u in kept)},
                messages.WARNING,
            )


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, AccountAdmin)
