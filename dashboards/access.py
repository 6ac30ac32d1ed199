"""Who may read which city's dashboards, and which dataset a page shows."""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from attainment.models import Dataset
from units.models import Membership, Unit, UnitKind


def dashboard_cities(*, user) -> QuerySet[Unit]:
    """Cities whose dashboards the user may read: those of their memberships, all for superusers.

    Absorbed provinces (valid_to set) have no plans of their own; their history shows under
    the successor city, so they are never offered.
    """
    qs = Unit.objects.filter(kind=UnitKind.PROVINCE, valid_to__isnull=True)
    if not user.is_superuser:
        city_ids = Membership.objects.filter(user=user).values("unit__city_id")
        qs = qs.filter(pk__in=city_ids)
    return qs.order_by("code")


def city_for_user(*, user, code: str) -> Unit:
    """The city with that code, or 404 when unknown and 403 when the user may not read it."""
    cities = list(dashboard_cities(user=user))
    for city in cities:
        if city.code == code:
            return city
    if Unit.objects.filter(kind=UnitKind.PROVINCE, code=code).exists():
        raise PermissionDenied
    raise Http404


def unit_for_user(*, user, code: str) -> Unit:
    """A unit whose city the user may read (404 unknown, 403 another city)."""
    unit = Unit.objects.select_related("city", "parent", "successor").filter(code=code).first()
    if unit is None:
        raise Http404
    if user.is_superuser:
        return unit
    city_id = unit.city_id or unit.pk
    if not Membership.objects.filter(user=user, unit__city_id=city_id).exists():
        raise PermissionDenied
    return unit


def dataset_from_request(request) -> str:
    """The dataset asked for with ?dataset=, else the engine's default."""
    asked = request.GET.get("dataset")
    if asked in Dataset.values:
        return asked
    from attainment.selectors import default_dataset

    return default_dataset()
