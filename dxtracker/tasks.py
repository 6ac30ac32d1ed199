"""Tasks of the project itself: a ping that proves a worker is consuming the queue."""

from celery import shared_task


# The one task whose result is read (tasks ignore theirs: CELERY_TASK_IGNORE_RESULT).
@shared_task(name="dxtracker.ping", time_limit=10, soft_time_limit=5, ignore_result=False)
def ping(payload: str = "pong") -> str:
    """Echo the payload; used by the health check and the live-worker test."""
    return payload
