"""Stored reporting compliance: did each expected report come on time, late, or not (yet).

The heatmap and /api/v1/completeness/ read ComplianceRecord rows. They depend on reports, not
on figures, so they have their own service: one report's record is refreshed in the same
transaction as its submission, return or approval (the heatmap shows a submission at once,
without waiting for an approval), and every record nightly. The attainment recompute never
touches them.
"""

import zlib
from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from reporting.models import ComplianceRecord, Dataset, Report
from reporting.selectors import ComplianceRow, compliance_rows

BULK_BATCH_SIZE = 2000
_UPDATED_FIELDS = ["timeliness", "submitted_at", "days_late", "computed_at"]


def report_dataset(report: Report) -> str:
    """The dataset a report's figures and compliance belong to."""
    return Dataset.DEMO if report.is_demo else Dataset.OFFICIAL


def compliance_refresh(
    *, dataset: str | None = None, report: Report | None = None, today: date | None = None
) -> int:
    """Recompute the compliance records of ``dataset`` (all of them), or of one report's unit
    and period when ``report`` is given (its dataset then follows the report). Returns the
    number of records written."""
    if report is not None:
        dataset = report_dataset(report)
    if dataset not in Dataset.values:
        raise ValueError(f"unknown dataset {dataset!r}; expected one of {Dataset.values}")
    today = today or timezone.localdate()
    now = timezone.now()
    with transaction.atomic():
        if report is None:
            return _replace_all(dataset, today, now)
        return _refresh_one(dataset, report, today, now)


def _record(dataset: str, row: ComplianceRow, now) -> ComplianceRecord:
    return ComplianceRecord(
        dataset=dataset, unit_id=row.unit_id, period_id=row.period_id,
        timeliness=row.timeliness, submitted_at=row.first_submitted_at,
        days_late=row.days_late, computed_at=now,
    )


def _replace_all(dataset: str, today: date, now) -> int:
    _lock(dataset, shared=False)
    records = [_record(dataset, row, now)
               for row in compliance_rows(dataset=dataset, today=today)]
    ComplianceRecord.objects.filter(dataset=dataset).delete()
    ComplianceRecord.objects.bulk_create(records, batch_size=BULK_BATCH_SIZE)
    return len(records)


def _refresh_one(dataset: str, report: Report, today: date, now) -> int:
    _lock(dataset, shared=True)
    period = report.period
    # The same rule as the nightly run: only periods open for reporting have a record.
    rows = (
        compliance_rows(dataset=dataset, periods=[period], today=today,
                        unit_ids=[report.unit_id])
        if period.opens_on <= today else []
    )
    if not rows:
        ComplianceRecord.objects.filter(
            dataset=dataset, unit_id=report.unit_id, period_id=period.pk
        ).delete()
        return 0
    # An upsert, so two refreshes of one record never collide on its unique key.
    ComplianceRecord.objects.bulk_create(
        [_record(dataset, row, now) for row in rows], update_conflicts=True,
        unique_fields=["dataset", "unit", "period"], update_fields=_UPDATED_FIELDS,
    )
    return len(rows)


def _lock(dataset: str, *, shared: bool) -> None:
    # One report's refresh takes the lock shared (refreshes of different reports run side by
    # side); the nightly replace takes it exclusively, so it never deletes a record that a
    # submission is writing at the same moment. SQLite serialises writers by itself.
    if connection.vendor != "postgresql":
        return
    key = zlib.crc32(f"dxtracker.compliance.{dataset}".encode())
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s)", [key])
