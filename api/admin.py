from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from api.models import ApiToken, generate_key
from api.services import api_token_revoke


@admin.register(ApiToken)
class ApiTokenAdmin(SimpleHistoryAdmin):
    """Issuing, renaming, granting writing and revoking are kept in the token's history."""

    list_display = ["name", "user", "prefix", "can_write", "created_at", "last_used_at",
                    "revoked_at"]
    list_filter = ["can_write", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "user__username", "prefix"]
    autocomplete_fields = ["user"]
    readonly_fields = ["prefix", "created_at", "created_by", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "user", "can_write"]
        return ["name", "user", "can_write", "prefix", "created_at", "created_by",
                "last_used_at", "revoked_at"]

    def get_readonly_fields(self, request, obj=None):
        # The user of an issued token never changes: a new holder gets a new token.
        if obj is not None:
            return [*self.readonly_fields, "user"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        key = generate_key()
        obj.set_key(key)
        obj.created_by = request.user
        super().save_model(request, obj, form, change)
        messages.warning(
            request,
            _("The key of token “%(name)s” is shown this once only; copy it now: %(key)s")
            % {"name": obj.name, "key": key},
        )

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        tokens = list(queryset.filter(revoked_at__isnull=True))
        for token in tokens:
            api_token_revoke(token=token)
        self.message_user(
            request,
            ngettext("%(n)d token revoked.", "%(n)d tokens revoked.", len(tokens))
            % {"n": len(tokens)},
            messages.SUCCESS,
        )
