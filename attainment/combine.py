"""Combine the values reported by several units into the value at a target's level.

Rules (an indicator's ``aggregation``):
    sum            sum of the unit values.
    mean           arithmetic mean of the unit values.
    weighted       pooled fraction: sum of numerators / sum of denominators * 100, when
                   EVERY unit reports a numerator and a denominator (9/33 and 24/33 ->
                   33/66 = 50%). If any unit reports only a value, the result is the plain
                   mean of all unit values instead: pooling some units and not others would
                   weight them in a way nobody could explain, and dropping a unit would
                   hide it. A pooled total of 0/0 also falls back to the mean.
    share_meeting  percentage of units whose value meets the target's comparator
                   (``method.comparator_holds``); numerator/denominator are then the number
                   of units meeting it and the number of units judged.
    share_of_units the same, each unit judged against its own threshold (the ``spec``
                   passed is the unit rule: "each district picks at least 1 commune").
    consolidated   one unit consolidates the value ("DOIT reports 95 % of communes"): its
                   value as reported (the mean if, exceptionally, several report).
The caller decides which units take part (the units of the level's kind that exist in the
period); this module only combines what it is given.

A unit with no value but a numerator and a non-zero denominator is read as
numerator/denominator*100. Units with neither are not reported and are skipped; n_units
counts the units that contributed. For sum, mean and weighted, the combined numerator and
denominator are the totals when every contributing unit reports both, else None.
Empty input (or nothing reported) gives value None. Pure computation, no Django.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from attainment.method import TargetSpec, comparator_holds, is_number

SUM = "sum"
MEAN = "mean"
WEIGHTED = "weighted"
SHARE_MEETING = "share_meeting"
SHARE_OF_UNITS = "share_of_units"
CONSOLIDATED = "consolidated"
RULES = (SUM, MEAN, WEIGHTED, SHARE_MEETING, SHARE_OF_UNITS, CONSOLIDATED)
SHARE_RULES = (SHARE_MEETING, SHARE_OF_UNITS)


@dataclass(frozen=True)
class UnitValue:
    value: float | None
    numerator: float | None = None
    denominator: float | None = None


@dataclass(frozen=True)
class CombinedValue:
    value: float | None
    numerator: float | None
    denominator: float | None
    n_units: int


def unit_value(unit: UnitValue) -> float | None:
    """Return the unit's value, or its numerator/denominator as a percentage."""
    if is_number(unit.value):
        return float(unit.value)
    if _has_fraction(unit) and float(unit.denominator) != 0:
        return float(unit.numerator) / float(unit.denominator) * 100.0
    return None


def combine(rule: str, values: Sequence[UnitValue], spec: TargetSpec | None) -> CombinedValue:
    """Combine unit values with ``rule``; raises ValueError only for an unknown rule."""
    if rule not in RULES:
        raise ValueError(f"unknown aggregation rule {rule!r}; expected one of {RULES}")
    units = [u for u in values if unit_value(u) is not None or _has_fraction(u)]
    if not units:
        return CombinedValue(None, None, None, 0)
    if rule in SHARE_RULES:
        return _share_meeting(units, spec)

    numbers = [v for v in (unit_value(u) for u in units) if v is not None]
    numerator, denominator = _fraction_totals(units)
    if rule == SUM:
        value = math.fsum(numbers) if numbers else None
    elif rule == WEIGHTED and denominator:
        value = numerator / denominator * 100.0
    else:
        value = _mean(numbers)
    return CombinedValue(value, numerator, denominator, len(units))


def _share_meeting(units: list[UnitValue], spec: TargetSpec | None) -> CombinedValue:
    # Without a target there is nothing to meet; a 0/0 unit has no value to judge.
    judged = [v for v in (unit_value(u) for u in units) if v is not None]
    if spec is None or not judged:
        return CombinedValue(None, None, None, len(judged))
    meeting = sum(1 for v in judged if comparator_holds(spec, v))
    return CombinedValue(
        meeting / len(judged) * 100.0, float(meeting), float(len(judged)), len(judged)
    )


def _fraction_totals(units: list[UnitValue]) -> tuple[float | None, float | None]:
    if not all(_has_fraction(u) for u in units):
        return None, None
    numerator = math.fsum(float(u.numerator) for u in units)
    denominator = math.fsum(float(u.denominator) for u in units)
    return numerator, denominator


def _mean(numbers: list[float]) -> float | None:
    return math.fsum(numbers) / len(numbers) if numbers else None


def _has_fraction(unit: UnitValue) -> bool:
    return is_number(unit.numerator) and is_number(unit.denominator)
