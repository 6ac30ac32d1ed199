from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from units.access import is_plan_editor, is_reviewer


def nav(request):
    """The main menu's links after "My reports", the same on every page.

    The review queue is there for reviewers (and the superuser) only, the plan import for
    plan editors: others would be refused them.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items = []
    if is_reviewer(user):
        items.append({"url": reverse("review_queue"), "label": _("Review queue"),
                      "testid": "nav-review"})
    if is_plan_editor(user):
        items.append({"url": reverse("targets:plan_import"), "label": _("Plans"),
                      "testid": "nav-plans"})
    items.append({"url": reverse("dashboards:index"), "label": _("Dashboards"),
                  "testid": "nav-dashboards"})
    return {"nav_items": items}
