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

import numpy as np

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


@dataclass(frozen=True)
class CombinedColumns:
    """``combine`` of every period of a target at once: one entry per period."""

    value: list[float | None]
    numerator: list[float | None]
    denominator: list[float | None]
    n_units: list[int]


# Integers up to 2**53 are floats exactly, and so is every partial sum of them below it.
_EXACT_INTEGERS = 2.0 ** 53


def combine_columns(
    rule: str,
    value: np.ndarray,
    numerator: np.ndarray,
    denominator: np.ndarray,
    present: np.ndarray,
    specs: Sequence[TargetSpec | None],
) -> CombinedColumns:
    """``combine(rule, units of period p, specs[p])`` for every period ``p`` at once.

    ``value``, ``numerator`` and ``denominator`` are [period, unit] floats, NaN where the
    unit's figure has none (or a non-finite one, which ``combine`` ignores alike); ``present``
    says which units take part in each period. The result equals ``combine`` exactly
    (``tests/attainment/test_combine_property.py``): sums are ``math.fsum``'s, taken in numpy
    only where they are exact (whole numbers below 2**53, as counts and most percentages
    are) and by ``math.fsum`` itself elsewhere.
    """
    if rule not in RULES:
        raise ValueError(f"unknown aggregation rule {rule!r}; expected one of {RULES}")
    periods = present.shape[0]
    with np.errstate(all="ignore"):
        has_fraction = np.isfinite(numerator) & np.isfinite(denominator)
        own = np.isfinite(value)
        # unit_value(): the value, else numerator / denominator * 100 when the latter is not 0.
        number = np.where(own, value, numerator / denominator * 100.0)
        valued = present & (own | (has_fraction & (denominator != 0)))
        members = present & (valued | has_fraction)
        n_members = members.sum(axis=1)
        if rule in SHARE_RULES:
            return _share_columns(number, valued, specs, periods)
        n_numbers = valued.sum(axis=1)
        total = _fsums(number, valued)
        fractions = ~(members & ~has_fraction).any(axis=1) & (n_members > 0)
        numerators = _fsums(numerator, members & fractions[:, None])
        denominators = _fsums(denominator, members & fractions[:, None])
    values: list[float | None] = []
    for p in range(periods):
        count = int(n_numbers[p])
        if not n_members[p]:
            values.append(None)
        elif rule == SUM:
            values.append(total[p] if count else None)
        elif rule == WEIGHTED and fractions[p] and denominators[p]:
            values.append(numerators[p] / denominators[p] * 100.0)
        else:
            values.append(total[p] / count if count else None)
    return CombinedColumns(
        values,
        [n if f else None for n, f in zip(numerators, fractions.tolist(), strict=True)],
        [d if f else None for d, f in zip(denominators, fractions.tolist(), strict=True)],
        n_members.tolist(),
    )


def _fsums(x: np.ndarray, mask: np.ndarray) -> list[float]:
    """math.fsum of each period's masked values (0.0 for none)."""
    picked = np.where(mask, x, 0.0)
    integral = (picked == np.trunc(picked)).all(axis=1) & (
        np.abs(picked).sum(axis=1) < _EXACT_INTEGERS)
    # + 0.0: a lone -0.0 sums to -0.0 in numpy, to 0.0 in math.fsum.
    sums = (picked.sum(axis=1) + 0.0).tolist()
    for p in np.flatnonzero(~integral).tolist():
        sums[p] = math.fsum(x[p][mask[p]].tolist())
    return sums


def _share_columns(
    number: np.ndarray, valued: np.ndarray, specs: Sequence[TargetSpec | None], periods: int
) -> CombinedColumns:
    judged = valued.sum(axis=1).tolist()
    meeting = [0] * periods
    by_spec: dict[TargetSpec, list[int]] = {}
    for p, spec in enumerate(specs):
        if spec is not None and judged[p]:
            by_spec.setdefault(spec, []).append(p)
    for spec, rows in by_spec.items():
        # comparator_holds itself, once per distinct value rather than once per unit.
        distinct, where = np.unique(number[rows][valued[rows]], return_inverse=True)
        holds = np.array([comparator_holds(spec, v) for v in distinct.tolist()], dtype=bool)
        hits = np.zeros(valued[rows].shape, dtype=bool)
        hits[valued[rows]] = holds[where.ravel()]
        for p, count in zip(rows, hits.sum(axis=1).tolist(), strict=True):
            meeting[p] = count
    values, numerators, denominators = [], [], []
    for p in range(periods):
        if specs[p] is None or not judged[p]:
            values.append(None)
            numerators.append(None)
            denominators.append(None)
        else:
            values.append(meeting[p] / judged[p] * 100.0)
            numerators.append(float(meeting[p]))
            denominators.append(float(judged[p]))
    return CombinedColumns(values, numerators, denominators, judged)
