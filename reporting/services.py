"""Every change to a report: open, save, submit, return, approve, reopen.

Each service checks permissions (units.selectors), the report's state, the period's lock
and, for saves, the optimistic-lock version; bumps Report.version; and writes a
ReportEvent saying who did what, through which channel, and which values changed.
Views, the API and tasks call these; none re-implements a rule.
"""

from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dxtracker.i18n import stored_language
from dxtracker.names import full_name
from reporting.compliance import compliance_refresh
from reporting.errors import (
    ReportConflictError,
    ReportPermissionError,
    ReportStateError,
    ReportValidationError,
)
from reporting.models import (
    ApprovedFigure,
    Channel,
    FigureOrigin,
    Period,
    Report,
    ReportAction,
    ReportEvent,
    ReportLine,
    ReportState,
)
from reporting.selectors import approved_history, entry_is_demo, indicators_due
from reporting.validation import (
    FIELDS,
    clean_line,
    has_figure,
    outlier_warning,
    validate_evidence_file,
)
from targets.models import Target
from units.access import ENTER_FIGURES, REVIEW_UNIT
from units.models import Unit

LINE_FIGURE_FIELDS = ("value", "numerator", "denominator", "milestone_state")


# --- checks -------------------------------------------------------------------------------


def _require_reporter(user, report_unit: Unit) -> None:
    if not user.has_perm(ENTER_FIGURES, report_unit):
        raise ReportPermissionError(
            _("You may enter figures only for the units you report for.")
        )


def _require_reviewer(user, report_unit: Unit) -> None:
    if not user.has_perm(REVIEW_UNIT, report_unit):
        raise ReportPermissionError(
            _("Only the reviewers of %(city)s may review this unit's reports.")
            % {"city": report_unit.city or report_unit}
        )


def _require_period_open(period: Period) -> None:
    if period.is_locked:
        raise ReportStateError(
            _("The period %(period)s is locked: it accepts no new figures.") % {"period": period}
        )


def _require_editable(report: Report) -> None:
    if not report.is_editable():
        raise ReportStateError(
            _("This report is %(state)s: only a draft or a returned report can be changed.")
            % {"state": report.get_state_display().lower()}
        )


def _require_state(report: Report, state: str, action: str) -> None:
    if report.state != state:
        raise ReportStateError(
            _("Cannot %(action)s a report that is %(state)s.")
            % {"action": action, "state": report.get_state_display().lower()}
        )


def _require_version(report: Report, expected_version: int | None) -> None:
    if expected_version is not None and int(expected_version) != report.version:
        raise ReportConflictError(current_version=report.version)


def _require_seen(report: Report, expected_version: int | None) -> None:
    """A review decides on the figures the reviewer saw: the version is required, and a
    report that changed since (returned, corrected, resubmitted) is refused."""
    if expected_version is None or int(expected_version) != report.version:
        raise ReportConflictError(
            _("This report changed after you opened it (it may have been returned, corrected "
              "and submitted again). Nothing was done: check its current figures, then decide "
              "again."),
            current_version=report.version,
        )


def _require_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ReportValidationError(
            {"": {"reason": _("A reason is required.")}}, message=_("A reason is required.")
        )
    return reason


def _locking_queryset(pk):
    # FOR UPDATE over a join would also lock the unit and the period row every report of the
    # quarter shares, crossing the recompute's FK checks into a deadlock; lock the report only.
    return (
        Report.objects.select_for_update(of=("self",))
        .select_related("unit", "period")
        .filter(pk=pk)
    )


def _locked(report: Report) -> Report:
    """The report's row, locked until the transaction ends (a no-op lock on SQLite)."""
    return _locking_queryset(report.pk).get()


def actor_display_name(user) -> str:
    """The name an event keeps for its actor (Vietnamese order, else the login)."""
    return full_name(user)[:150]


def _actor(user):
    return user if user is not None and user.is_authenticated else None


def _event(report: Report, action: str, *, user, channel: str, reason: str = "", changes=()):
    actor = _actor(user)
    return ReportEvent.objects.create(
        report=report,
        action=action,
        actor=actor,
        actor_name=actor_display_name(actor),
        revision=report.revision,
        channel=channel,
        reason=reason,
        changes=list(changes),
    )


def _bump(report: Report, user, **fields) -> Report:
    for name, value in fields.items():
        setattr(report, name, value)
    report.version += 1
    report.updated_by = _actor(user)
    report.save()
    return report


def _text(value) -> str | None:
    """A field value as the history shows it."""
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


# --- services -----------------------------------------------------------------------------


def report_open(*, user, unit: Unit, period: Period, channel: str = Channel.WEB) -> Report:
    """The unit's report for the period, created as a draft when it does not exist yet."""
    _require_reporter(user, unit)
    is_demo = entry_is_demo(user)
    existing = Report.objects.filter(unit=unit, period=period, is_demo=is_demo)
    report = existing.select_related("unit", "period").first()
    if report is not None:
        return report
    _require_period_open(period)
    today = timezone.localdate()
    if period.opens_on > today:
        raise ReportStateError(
            _("The period %(period)s opens for reporting on %(day)s.")
            % {"period": period, "day": period.opens_on.strftime("%d/%m/%Y")}
        )
    if not indicators_due(unit=unit, period=period):
        raise ReportStateError(
            _("%(unit)s has nothing to report for %(period)s.") % {"unit": unit, "period": period}
        )
    with transaction.atomic():
        report, created = Report.objects.get_or_create(
            unit=unit, period=period, is_demo=is_demo,
            defaults={"created_by": _actor(user), "updated_by": _actor(user)},
        )
        if created:
            _event(report, ReportAction.CREATED, user=user, channel=channel)
    return report


def report_save(
    *,
    user,
    report: Report,
    values: dict[str, dict],
    expected_version: int,
    channel: str,
    evidence_files: dict[str, UploadedFile] | None = None,
) -> Report:
    """Save typed figures: all of them or, if one is invalid, none (ReportValidationError).

    values: {indicator_code: {field: text | Decimal | None}}; a field left out is kept,
    a blank one is cleared. evidence_files: {indicator_code: uploaded file}.
    """
    evidence_files = evidence_files or {}
    with transaction.atomic():
        report = _locked(report)
        _require_reporter(user, report.unit)
        _require_period_open(report.period)
        _require_editable(report)
        _require_version(report, expected_version)

        due = {i.code: i for i in indicators_due(unit=report.unit, period=report.period)}
        lines = {
            line.indicator.code: line
            for line in report.lines.select_related("indicator")
        }
        errors: dict[str, dict[str, str]] = {}
        cleaned_by_code: dict[str, tuple] = {}
        for code in sorted(set(values) | set(evidence_files)):
            indicator = due.get(code) or (lines[code].indicator if code in lines else None)
            if indicator is None:
                errors[code] = {
                    "indicator": _("“%(code)s” is not an indicator this unit reports.")
                    % {"code": code}
                }
                continue
            line = lines.get(code)
            current = {f: getattr(line, f) for f in FIELDS} if line else {}
            cleaned, line_errors = clean_line(indicator, values.get(code, {}), current)
            if code in evidence_files:
                message = validate_evidence_file(evidence_files[code])
                if message:
                    line_errors["evidence_file"] = message
            if line_errors:
                errors[code] = line_errors
            else:
                cleaned_by_code[code] = (indicator, cleaned)
        if errors:
            raise ReportValidationError(errors)

        history = approved_history(
            unit=report.unit, period=report.period, is_demo=report.is_demo,
            indicator_ids=[ind.pk for ind, _c in cleaned_by_code.values()],
        )
        changes = []
        for code, (indicator, cleaned) in cleaned_by_code.items():
            line = lines.get(code) or ReportLine(report=report, indicator=indicator)
            line_changes = []
            for field, new in cleaned.items():
                old = getattr(line, field)
                if _text(old) != _text(new):
                    line_changes.append(
                        {"indicator": code, "field": field, "old": _text(old), "new": _text(new)}
                    )
                    setattr(line, field, new)
            upload = evidence_files.get(code)
            if upload is not None:
                line_changes.append({
                    "indicator": code, "field": "evidence_file",
                    "old": line.evidence_file.name or None, "new": upload.name,
                })
                line.evidence_file = upload
            if line.pk is None and not line_changes:
                continue  # nothing typed for this indicator yet
            with stored_language():
                past = [f.value for f in history.get(indicator.pk, []) if f.value is not None]
                warning = outlier_warning(line.value, past)[:500]
            if not line_changes and warning == line.warning:
                continue
            line.warning = warning
            line.save()
            changes.extend(line_changes)
        if not changes:
            return report  # nothing changed: no write, so no new version and no event
        _bump(report, user)
        _event(report, ReportAction.SAVED, user=user, channel=channel, changes=changes)
    return report


def report_submit(
    *, user, report: Report, expected_version: int | None = None, channel: str
) -> Report:
    """Send a draft or returned report to DOIT; every due indicator needs a figure."""
    with transaction.atomic():
        report = _locked(report)
        _require_reporter(user, report.unit)
        _require_period_open(report.period)
        _require_editable(report)
        _require_version(report, expected_version)
        lines = {line.indicator_id: line for line in report.lines.all()}
        missing = {
            indicator.code: {"value": _("A figure is required before submitting.")}
            for indicator in indicators_due(unit=report.unit, period=report.period)
            if indicator.pk not in lines or not has_figure(lines[indicator.pk])
        }
        if missing:
            raise ReportValidationError(
                missing, message=_("Fill in every indicator before submitting the report.")
            )
        now = timezone.now()
        _bump(
            report, user, state=ReportState.SUBMITTED, submitted_by=_actor(user),
            submitted_at=now, first_submitted_at=report.first_submitted_at or now,
        )
        _event(report, ReportAction.SUBMITTED, user=user, channel=channel)
        compliance_refresh(report=report)
    return report


def report_return(
    *, user, report: Report, reason: str, expected_version: int, channel: str
) -> Report:
    """Send a submitted report back to its unit with the reviewer's reason."""
    reason = _require_reason(reason)
    with transaction.atomic():
        report = _locked(report)
        _require_reviewer(user, report.unit)
        _require_state(report, ReportState.SUBMITTED, _("return"))
        _require_seen(report, expected_version)
        _bump(
            report, user, state=ReportState.RETURNED, return_reason=reason,
            reviewed_by=_actor(user), reviewed_at=timezone.now(),
        )
        _event(report, ReportAction.RETURNED, user=user, channel=channel, reason=reason)
        compliance_refresh(report=report)
    return report


def _approve_locked(*, user, report: Report, expected_version: int | None,
                    channel: str) -> list[int]:
    """Approve one locked report; returns the ids of the targets whose attainment changes."""
    _require_reviewer(user, report.unit)
    _require_state(report, ReportState.SUBMITTED, _("approve"))
    _require_seen(report, expected_version)
    # Four eyes: whoever submitted the figures cannot also be the one who approves them.
    if report.submitted_by_id == user.pk and not user.is_superuser:
        raise ReportPermissionError(
            _("You submitted this report, so another reviewer must approve it.")
        )
    now = timezone.now()
    origin = FigureOrigin.DEMO if report.is_demo else FigureOrigin.REPORT
    lines = [line for line in report.lines.all() if has_figure(line)]
    indicator_ids = [line.indicator_id for line in lines]
    # The previous revision's figures (and any other current figure of the same origin for
    # these cells) stay in the table, stamped as superseded. A figure the correction left
    # empty changes attainment too, so its indicator joins the recompute.
    previous = ApprovedFigure.objects.filter(superseded_at__isnull=True, report=report)
    affected = set(indicator_ids) | set(previous.values_list("indicator_id", flat=True))
    previous.update(superseded_at=now)
    ApprovedFigure.objects.filter(
        superseded_at__isnull=True, unit=report.unit, period=report.period, origin=origin,
        indicator_id__in=indicator_ids,
    ).update(superseded_at=now)
    ApprovedFigure.objects.bulk_create([
        ApprovedFigure(
            indicator_id=line.indicator_id, unit=report.unit, period=report.period,
            value=line.value, numerator=line.numerator, denominator=line.denominator,
            milestone_state=line.milestone_state, origin=origin, report=report,
            revision=report.revision, approved_by=_actor(user), approved_at=now,
        )
        for line in lines
    ])
    _bump(report, user, state=ReportState.APPROVED, reviewed_by=_actor(user), reviewed_at=now)
    _event(report, ReportAction.APPROVED, user=user, channel=channel)
    compliance_refresh(report=report)
    return list(
        Target.objects.filter(
            indicator_id__in=affected, plan__city_id=report.unit.city_id
        ).values_list("pk", flat=True)
    )


def recompute_queue(
    *, target_ids: Iterable[int], dataset: str,
    changes: Iterable[tuple[int, int, int]] | None = None,
) -> None:
    """Ask for the recompute of targets in the current transaction (an approval; plan imports
    and catalogue edits call it too): an outbox row, queued once the transaction commits, or by
    the sweep when the broker is down then.

    changes: an approval's (target id, unit id, period id) cells, so that only what they reach
    is recomputed; None (a catalogue change) recomputes the whole targets.
    """
    # imported here: attainment depends on reporting, not the other way round
    from attainment.outbox import recompute_request_create

    recompute_request_create(dataset=dataset, target_ids=target_ids, changes=changes)


def _changed_cells(report: Report, target_ids: Iterable[int]) -> list[tuple[int, int, int]]:
    """The figure cells an approval changed: its unit and period, for each target it reaches."""
    return [(pk, report.unit_id, report.period_id) for pk in target_ids]


def report_approve(*, user, report: Report, expected_version: int, channel: str) -> Report:
    """Approve a submitted report: its figures become ApprovedFigure rows, attainment follows.

    expected_version: the version the reviewer saw; a report changed since is refused.
    """
    with transaction.atomic():
        report = _locked(report)
        target_ids = _approve_locked(user=user, report=report,
                                     expected_version=expected_version, channel=channel)
        recompute_queue(target_ids=target_ids,
                        dataset="demo" if report.is_demo else "official",
                        changes=_changed_cells(report, target_ids))
    return report


def report_approve_many(
    *, user, reports: Iterable[Report], expected_versions: Mapping[int, int], channel: str
) -> list[Report]:
    """Approve several reports at once: all of them, or none when one cannot be approved.

    expected_versions: {report id: the version the reviewer saw}; one that changed since (or
    was not seen) refuses the whole batch.
    """
    approved: list[Report] = []
    targets: dict[str, set[int]] = {"official": set(), "demo": set()}
    changes: dict[str, list[tuple[int, int, int]]] = {"official": [], "demo": []}
    with transaction.atomic():
        for report in reports:
            report = _locked(report)
            try:
                ids = _approve_locked(user=user, report=report,
                                      expected_version=expected_versions.get(report.pk),
                                      channel=channel)
            except ReportConflictError as exc:
                raise ReportConflictError(
                    _("%(report)s: %(message)s") % {"report": report, "message": exc.message},
                    current_version=exc.current_version,
                ) from exc
            except (ReportPermissionError, ReportStateError) as exc:
                raise type(exc)(
                    _("%(report)s: %(message)s") % {"report": report, "message": exc.message}
                ) from exc
            targets["demo" if report.is_demo else "official"].update(ids)
            changes["demo" if report.is_demo else "official"] += _changed_cells(report, ids)
            approved.append(report)
        for dataset, ids in targets.items():
            recompute_queue(target_ids=ids, dataset=dataset, changes=changes[dataset])
    return approved


def report_reopen(
    *, user, report: Report, reason: str, expected_version: int, channel: str
) -> Report:
    """Open a correction of an approved report as a new revision; the approved figures stay in
    force until the new revision is approved."""
    reason = _require_reason(reason)
    with transaction.atomic():
        report = _locked(report)
        _require_reviewer(user, report.unit)
        _require_period_open(report.period)
        _require_state(report, ReportState.APPROVED, _("reopen"))
        _require_seen(report, expected_version)
        _bump(
            report, user, state=ReportState.DRAFT, revision=report.revision + 1,
            correction_reason=reason, return_reason="",
        )
        _event(report, ReportAction.REOPENED, user=user, channel=channel, reason=reason)
    return report
