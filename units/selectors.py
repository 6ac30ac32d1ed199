"""Reads about units: the tree as of a date and successors. Who may do what: units.access."""

from datetime import date

from django.db.models import QuerySet

from units.models import Unit, UnitKind


def cities() -> QuerySet[Unit]:
    """Province-level units that exist today or existed (absorbed ones included)."""
    return Unit.objects.filter(kind=UnitKind.PROVINCE).order_by("code")


def units_as_of(day: date, *, city: Unit | None = None) -> QuerySet[Unit]:
    """Every unit that exists on `day`, optionally within one city."""
    qs = Unit.objects.existing(day)
    if city is not None:
        qs = qs.filter(city=city)
    return qs.order_by("kind", "code")


def unit_tree_as_of(day: date, *, city: Unit) -> list[dict]:
    """The city's tree on `day` as nested dicts {unit, children}, in one query."""
    units = list(units_as_of(day, city=city).select_related("parent"))
    by_parent: dict[int | None, list[Unit]] = {}
    ids = {u.pk for u in units}
    for unit in units:
        parent_id = unit.parent_id if unit.parent_id in ids else None
        if unit.pk == city.pk:
            parent_id = None
        elif parent_id is None and city.pk in ids:
            # A unit whose parent no longer exists (a commune after the district level was
            # abolished) hangs under the city rather than becoming a second root.
            parent_id = city.pk
        by_parent.setdefault(parent_id, []).append(unit)

    def build(unit: Unit) -> dict:
        return {"unit": unit, "children": [build(c) for c in by_parent.get(unit.pk, [])]}

    return [build(u) for u in by_parent.get(None, [])]


def successor_map(*, as_of: date | None = None) -> dict[int, int]:
    """Map every unit id to the id of the unit that carries it today (itself if it still exists).

    Follows chains (district → city; department → merged department) in memory: the unit
    table is small, so one query serves every caller. With `as_of`, a link is followed only
    when the unit had ceased by that day (valid_to <= as_of), giving the carrier on that day.
    """
    rows = Unit.objects.values_list("pk", "successor_id", "valid_to")
    return follow_successors({
        pk: successor_id
        if as_of is None or (valid_to is not None and valid_to <= as_of)
        else None
        for pk, successor_id, valid_to in rows
    })


def follow_successors(direct: dict[int, int | None]) -> dict[int, int]:
    """Each unit of `direct` (unit id -> its direct successor, or None) mapped to the end of
    its chain of successors."""
    resolved: dict[int, int] = {}
    for start in direct:
        seen = {start}
        current = start
        while direct.get(current):
            nxt = direct[current]
            if nxt in seen:  # a cycle is a data error; stop rather than loop forever
                break
            seen.add(nxt)
            current = nxt
        resolved[start] = current
    return resolved


def current_successor(unit: Unit) -> Unit:
    """The unit that carries `unit`'s reports today (the unit itself when it still exists)."""
    target_id = successor_map()[unit.pk]
    return unit if target_id == unit.pk else Unit.objects.get(pk=target_id)


def successor_as_of(unit: Unit, day: date) -> Unit:
    """The unit that carries `unit`'s reports on `day` (the unit itself if it still existed)."""
    target_id = successor_map(as_of=day)[unit.pk]
    return unit if target_id == unit.pk else Unit.objects.get(pk=target_id)


def rolled_up_unit_ids(unit: Unit, *, as_of: date | None = None) -> set[int]:
    """Ids of `unit` and of every unit whose figures roll up into it (its predecessors).

    A 2023 report of a district abolished in 2025 rolls up into the city: the city's
    rolled-up ids include that district.
    """
    carriers = successor_map(as_of=as_of)
    return {pk for pk, carrier in carriers.items() if carrier == unit.pk} | {unit.pk}
