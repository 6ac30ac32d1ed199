"""The published method page: how attainment and status are computed, and where it comes from."""

from django.conf import settings
from django.shortcuts import render

from attainment import method
from attainment.models import Dataset, RecomputeRequest, Status
from attainment.selectors import last_recompute_run


def method_page(request):
    """Public page stating the method, its thresholds (from method.py) and its source."""
    labels = dict(Status.choices)
    return render(
        request,
        "attainment/method.html",
        {
            "statuses": {value: labels[value] for value in method.STATUSES},
            "on_track": method.ON_TRACK_MIN_RATIO,
            "needs_acceleration": method.NEEDS_ACCELERATION_MIN_RATIO,
            "limited_progress": method.LIMITED_PROGRESS_MIN_RATIO,
            "zero_replacement": method.ZERO_REPLACEMENT,
            "milestone_attainment": method.MILESTONE_ATTAINMENT,
            "datasets": Dataset.choices,
            "deadline_days": settings.REPORT_DEADLINE_DAYS_AFTER_PERIOD,
            "stale_years": method.STALE_AFTER_YEARS,
            "coverage_threshold": round(method.COVERAGE_THRESHOLD * 100),
            "last_run": last_recompute_run(),
            "pending_requests": RecomputeRequest.objects.filter(done_at__isnull=True).count(),
        },
    )
