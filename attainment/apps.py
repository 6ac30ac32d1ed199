from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttainmentConfig(AppConfig):
    name = "attainment"
    verbose_name = _("Attainment")
