"""manage.py benchmark_freshness: its figures (percentiles, lines) and what it refuses; the
queues that keep an approval's recompute apart from the night's run."""

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from attainment.freshness import (
    Sample,
    last_line,
    latency_line,
    percentile,
    publishing_to,
    summary_lines,
)
from dxtracker.celery import app as celery_app


def _sample(page, **kw):
    values = {"approve": 0.1, "api": page, "page": page, "polls": 3, "queue_wait": 0.05,
              "run": 0.4, "after_run": 0.2}
    values.update(kw)
    return Sample(**values)


def test_percentile_is_the_nearest_rank():
    values = [float(v) for v in range(1, 21)]  # 1 .. 20
    assert percentile(values, 95) == 19.0
    assert percentile(values, 50) == 10.0
    assert percentile(values, 100) == 20.0
    assert percentile([0.7], 95) == 0.7
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0  # unsorted input
    with pytest.raises(ValueError):
        percentile([], 95)


def test_latency_line_prints_milliseconds_and_counts_what_was_not_measured():
    assert latency_line("approval to page", [0.5, 1.0, 1.5, None]) == (
        "approval to page: p50 1000 ms, p95 1500 ms, max 1500 ms (n 3, 1 not measured)"
    )
    assert latency_line("approval to page", [None]) == "approval to page: not measured (n 1)"


def test_summary_splits_queue_wait_and_run_and_counts_polls():
    lines = summary_lines([_sample(1.2, polls=2), _sample(0.8, polls=5, run=0.6)])
    text = "\n".join(lines)
    assert "approval to page: p50 1000 ms, p95 1200 ms, max 1200 ms (n 2)" in text
    assert "queue wait (queued -> run started): p50 50 ms" in text
    assert "recompute run (RecomputeRun started -> finished): p50 500 ms, p95 600 ms" in text
    assert "polls (API + page) per approval: median 4, max 5, total 7" in text


def test_last_line_is_the_page_p95_or_says_what_never_showed():
    assert last_line([_sample(v / 10) for v in range(1, 21)]) == "approval to page p95 1900 ms"
    assert last_line([_sample(1.0), _sample(None)]) == (
        "approval to page p95 not measured: 1 of 2 approvals never showed"
    )


@pytest.mark.skipif("sqlite" not in settings.DATABASES["default"]["ENGINE"],
                    reason="the refusal of SQLite")
def test_the_command_refuses_sqlite_where_a_worker_could_not_share_the_database():
    with pytest.raises(CommandError, match="needs PostgreSQL"):
        call_command("benchmark_freshness", "--scale", "0.001", stdout=StringIO())


def test_an_approvals_recompute_has_its_own_queue_apart_from_the_nightly_run():
    celery_app.loader.import_default_modules()

    def queue_of(name):
        return celery_app.amqp.router.route({}, name, (), {})["queue"].name

    assert queue_of("attainment.tasks.recompute_targets") == "dxtracker.approvals"
    assert queue_of("attainment.tasks.recompute_city") == "dxtracker.nightly"
    assert queue_of("attainment.tasks.recompute_sweep") == "dxtracker"
    # A worker started without -Q (make worker, CI, compose's "worker") consumes them all.
    assert set(celery_app.amqp.queues) == {"dxtracker", "dxtracker.approvals",
                                           "dxtracker.nightly"}


def test_the_run_queues_on_its_own_broker_never_eagerly_and_restores_both():
    # Without REDIS_URL the app runs tasks eagerly: the benchmark would then time a recompute
    # in its own process and no worker at all.
    before = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)
    celery_app.conf.task_always_eager = True
    try:
        with publishing_to(celery_app, "redis://127.0.0.1:1/0"):
            assert celery_app.conf.task_always_eager is False
            assert celery_app.conf.broker_url == "redis://127.0.0.1:1/0"
        assert celery_app.conf.task_always_eager is True
    finally:
        celery_app.conf.broker_url, celery_app.conf.task_always_eager = before
    assert celery_app.conf.broker_url == before[0]
