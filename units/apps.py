from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UnitsConfig(AppConfig):
    name = "units"
    verbose_name = _("Units and memberships")

    def ready(self):
        from units import access  # noqa: F401  (registers the access rules with django-rules)
