"""The engine's figures as columns (engine._FigureColumns): numbers as floats with NaN for
none, and what was read kept beside them when a value is not a finite float or none."""

import math

import numpy as np

from attainment.engine import _FigureColumns


def _row(indicator, unit, period, value, numerator=None, denominator=None, milestone="",
         derived=False, lower_bound=0):
    return (indicator, unit, period, value, numerator, denominator, milestone, derived,
            lower_bound)


def test_columns_hold_the_figures_in_the_order_read_across_chunks():
    chunks = [[_row(1, 10, 100, 5.5), _row(1, 11, 100, None, 3.0, 4.0)],
              [], [_row(2, 10, 101, 0.1, milestone="done", derived=1, lower_bound=True)]]
    figures = _FigureColumns.read(chunks)
    columns = figures.columns
    assert columns["indicator_id"].tolist() == [1, 1, 2]
    assert columns["unit_id"].tolist() == [10, 11, 10]
    assert np.isnan(columns["value"][1]) and columns["value"][2] == 0.1
    assert columns["milestone"].tolist() == [None, None, "done"]
    assert columns["derived"].tolist() == [False, False, True]
    assert columns["lower_bound"].tolist() == [False, False, True]
    assert figures.raw == {}  # every number a finite float or none: nothing kept twice
    assert figures.as_read("value") == [5.5, None, 0.1]
    assert figures.as_read("numerator") == [None, 3.0, None]
    assert [(i, len(part)) for i, part in figures.by_indicator()] == [(1, 2), (2, 1)]


def test_a_value_that_is_not_a_finite_float_is_kept_as_read():
    # A NaN or infinity stored in the database must not come back as "no value".
    chunks = [[_row(1, 10, 100, 1.0)], [_row(1, 11, 100, math.nan), _row(1, 12, 100, None),
                                        _row(1, 13, 100, math.inf)]]
    figures = _FigureColumns.read(chunks)
    read = figures.as_read("value")
    assert read[0] == 1.0 and math.isnan(read[1]) and read[2] is None and read[3] == math.inf
    assert set(figures.raw) == {"value"}
    part = figures.take(slice(1, 3))
    assert math.isnan(part.as_read("value")[0]) and part.as_read("value")[1] is None


def test_no_figures():
    figures = _FigureColumns.read([])
    assert len(figures) == 0 and list(figures.by_indicator()) == []
