"""Writes to the catalogue that other writes set off."""

from targets.models import Target
from units.models import Unit


def target_kinds_resolve(*, unit: Unit) -> list[int]:
    """Make `unit` responsible for the targets of its city given to its kind ("kind:commune").

    A commune created after the plan was loaded owes the plan's commune targets; which periods
    it owes them for is Responsibility.covers' business (from the day the unit exists).
    Returns the ids of the targets the unit joined.
    """
    if unit.city_id is None or unit.kind is None:
        return []
    candidates = (
        Target.objects.filter(plan__city_id=unit.city_id).exclude(responsible_units=unit)
        .values_list("pk", "responsible_kinds")
    )
    # JSON "contains" is not portable to SQLite, and a city has a few hundred targets at most.
    joined = [pk for pk, kinds in candidates if unit.kind in (kinds or ())]
    if joined:
        unit.targets.add(*joined)
    return joined
