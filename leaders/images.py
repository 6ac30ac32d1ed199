"""The report's charts as PNG images, drawn with matplotlib's Agg backend (no display, no browser).

matplotlib's bundled DejaVu Sans has every Vietnamese letter, so labels need no system font.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

from matplotlib import pyplot as plt
from matplotlib.ticker import MaxNLocator

from attainment.models import Status
from dashboards.charts import STATUS_COLOURS, TIMELINESS_COLOURS
from reporting.models import Timeliness

GREY = "#9aa5b1"
DPI = 150


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def _short(label: str, width: int = 48) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


def status_chart(headlines, statuses: list[str]) -> bytes:
    """Stacked horizontal bars: each plan and pillar's targets by verdict."""
    labels = [
        _short(h.plan.title if h.pillar is None else f"{h.plan.code} · {h.pillar.name}")
        for h in headlines
    ]
    fig, ax = plt.subplots(figsize=(10, 0.45 * len(headlines) + 1.6))
    left = [0] * len(headlines)
    for status in statuses:
        values = [h.counts.get(status, 0) for h in headlines]
        if not any(values):
            continue
        ax.barh(labels, values, left=left, color=STATUS_COLOURS.get(status, GREY),
                label=str(Status(status).label))
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.invert_yaxis()
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=4, fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def compliance_chart(counts: dict[str, int], order: list[str]) -> bytes:
    """One bar per timeliness state: how many units' reports were on time, late, missing."""
    labels = [str(Timeliness(t).label) for t in order]
    values = [counts.get(t, 0) for t in order]
    fig, ax = plt.subplots(figsize=(7, 2.6))
    bars = ax.barh(labels, values, color=[TIMELINESS_COLOURS.get(t, GREY) for t in order])
    ax.bar_label(bars, labels=[str(v) for v in values], padding=3)
    ax.invert_yaxis()
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)
