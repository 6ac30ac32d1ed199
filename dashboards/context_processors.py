from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def nav(request):
    """The dashboards link in the main menu, for logged-in users."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_items": [{"url": reverse("dashboards:index"), "label": _("Dashboards")}]}
