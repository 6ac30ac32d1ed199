"""Count axes tick at whole numbers only."""

from types import SimpleNamespace

from dashboards.charts import compliance_record_chart
from reporting.models import Timeliness


def _record(year, timeliness):
    return SimpleNamespace(period=SimpleNamespace(year=year), timeliness=timeliness)


def test_small_counts_tick_by_one_report():
    # Three reports a year: Plotly's own step would be 0.2 and ",d" would print "0 0 0 1 1 1".
    records = [_record(2024, Timeliness.ON_TIME)] * 2 + [_record(2024, Timeliness.LATE)]
    yaxis = compliance_record_chart(records).figure.layout.yaxis
    assert (yaxis.tick0, yaxis.dtick, yaxis.tickformat) == (0, 1, ",d")


def test_large_counts_keep_plotlys_step():
    records = [_record(2024, Timeliness.ON_TIME)] * 40
    yaxis = compliance_record_chart(records).figure.layout.yaxis
    assert yaxis.dtick is None
    assert yaxis.tickformat == ",d"
