"""Audit that cannot be bypassed from the admin.

- The record (reports, their events, approved figures) is read-only in the admin, even for
  the superuser: a correction goes through reopen → approve, which leaves an event.
- An account that appears anywhere in the record is deactivated, never deleted: deleting it
  would blank "who" on its events, figures and history rows, or delete its tokens and admin log.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

# Reverse relations that say nothing about what the account did: its roles, which keep a
# history of their own (units.Membership.history).
NOT_HISTORY = {("units", "membership")}


class ReadOnlyAdminMixin:
    """No add, change or delete in the admin (nor a revert from the history page): view only."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history's revert form saves on POST without asking has_change_permission.
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


def _history_relations():
    """Every reverse foreign key to the user model, hidden ones ("+") included."""
    for rel in get_user_model()._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and not rel.concrete and rel.one_to_many):
            continue
        model = rel.related_model
        if (model._meta.app_label, model._meta.model_name) in NOT_HISTORY:
            continue
        # In a history table only history_user says what the account did; a copied
        # foreign key (a membership's user) is the row's subject, kept as a bare id.
        if hasattr(model, "instance_type") and rel.field.name != "history_user":
            continue
        yield model, rel.field.name


def account_has_history(user) -> bool:
    """Whether any event, figure, report, token, history row or admin log names the account."""
    return any(
        model._base_manager.filter(**{field: user.pk}).exists()
        for model, field in _history_relations()
    )


class AccountHasHistory(ProtectedError):
    """Raised instead of deleting an account the record names."""


def account_deactivate(*, user) -> None:
    """Close the account (no login, no token) and keep it, so the record keeps its name."""
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])


def refuse_deleting_accounts_with_history(sender, instance, **kwargs) -> None:
    """pre_delete guard on the user model: the model-level half of the rule (the admin
    deactivates instead of reaching it)."""
    if account_has_history(instance):
        raise AccountHasHistory(
            _("The account %(name)s appears in the record: deactivate it instead of deleting it.")
            % {"name": instance.get_username()},
            {instance},
        )
