from django.apps import AppConfig


class DxTrackerConfig(AppConfig):
    name = "dxtracker"
    verbose_name = "DX Tracker"

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.db.models.signals import pre_delete

        from dxtracker import checks  # noqa: F401  (registers the deploy checks)
        from dxtracker.audit import refuse_deleting_accounts_with_history

        pre_delete.connect(refuse_deleting_accounts_with_history, sender=get_user_model(),
                           dispatch_uid="dxtracker.refuse_deleting_accounts_with_history")
