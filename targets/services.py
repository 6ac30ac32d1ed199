"""Writes to the catalogue: plan imports, recorded edits, and what other writes set off."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from dxtracker.i18n import stored_language
from targets.models import (
    CatalogueChange,
    ChangeAction,
    ChangeSource,
    Indicator,
    IndicatorDefinition,
    NationalIndicator,
    Pillar,
    Plan,
    Target,
    TargetAmendment,
)
from targets.validation import city_kinds, draft_of, target_problems
from units.access import EDIT_PLANS, edits_definitions
from units.models import Unit, UnitKind


class PlanImportError(Exception):
    """The import is refused as a whole; .message says why in the user's language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class PlanPermissionError(PlanImportError):
    pass


def target_kinds_resolve(*, unit: Unit) -> list[int]:
    """Make `unit` responsible for the targets of its city given to its kind ("kind:commune").

    A commune created after the plan was loaded owes the plan's commune targets; which periods
    it owes them for is Responsibility.covers' business (from the day the unit exists).
    Returns the ids of the targets the unit joined.
    """
    if unit.city_id is None or unit.kind is None:
        return []
    candidates = (
        Target.objects.filter(plan__city_id=unit.city_id).exclude(responsible_units=unit)
        .values_list("pk", "responsible_kinds")
    )
    # JSON "contains" is not portable to SQLite, and a city has a few hundred targets at most.
    joined = [pk for pk, kinds in candidates if unit.kind in (kinds or ())]
    if joined:
        unit.targets.add(*joined)
    return joined


def responsible_units_resolve(*, named: list[Unit], kinds: list[str],
                              city_units: list[Unit]) -> list[Unit]:
    """The units a target's responsibility means: every unit of its kinds in the city, and
    each named unit with the departments that took its duties over."""
    units: dict[int, Unit] = {}
    for kind in kinds:
        units.update((u.pk, u) for u in city_units if u.kind == kind)
    by_pk = {u.pk: u for u in city_units}
    for unit in named:
        units[unit.pk] = unit
        # A named department's duties pass to the department that absorbed it (DOIT into
        # Science and Technology, March 2025), so someone still reports them. A dissolved
        # district's duties are not moved to the city: its level is gone.
        seen = {unit.pk}
        successor = by_pk.get(unit.successor_id) if unit.successor_id else None
        if successor is None and unit.successor_id:
            successor = unit.successor
        while (successor is not None and successor.kind != UnitKind.PROVINCE
               and successor.pk not in seen):
            units[successor.pk] = successor
            seen.add(successor.pk)
            nxt = successor.successor_id
            successor = by_pk.get(nxt) or (successor.successor if nxt else None)
    return list(units.values())


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, Model):
        return str(getattr(value, "code", value.pk))
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def change_record(*, user, source: str, obj: Plan | Indicator | Target,
                  old: dict | None, new: dict, note: str = "") -> CatalogueChange | None:
    """Record an edit (old None: created). Only fields whose value changed are kept; nothing
    is recorded when nothing changed."""
    if old is None:
        changes = {k: [None, _text(v)] for k, v in new.items() if v not in (None, "", [])}
        action = ChangeAction.CREATED
    else:
        changes = {k: [_text(old.get(k)), _text(v)] for k, v in new.items()
                   if _text(old.get(k)) != _text(v)}
        action = ChangeAction.UPDATED
        if not changes:
            return None
    link = {"plan": obj} if isinstance(obj, Plan) else (
        {"indicator": obj} if isinstance(obj, Indicator) else {"target": obj, "plan": obj.plan})
    return CatalogueChange.objects.create(user=user if user and user.is_authenticated else None,
                                          action=action, source=source, changes=changes,
                                          note=note, **link)


def catalogue_recompute(*, target_ids) -> None:
    """Queue the recompute of changed targets in both datasets once the edit commits."""
    from reporting.services import recompute_queue  # reporting depends on targets

    ids = sorted(set(target_ids))
    for dataset in ("official", "demo"):
        recompute_queue(target_ids=ids, dataset=dataset)


@dataclass
class PlanImportResult:
    plan: Plan
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    new_indicators: list[str] = field(default_factory=list)
    linked_indicators: list[str] = field(default_factory=list)
    definitions: list[str] = field(default_factory=list)


_PLAN_FIELDS = ("title_vi", "title_en", "document_number", "issued_on", "issuing_body_vi",
                "issuing_body_en", "legal_basis", "horizon_years", "source_file")
_TARGET_FIELDS = ("indicator", "year", "level", "comparator", "value", "aggregation",
                  "unit_comparator", "unit_value", "baseline_value", "baseline_year",
                  "baseline_source", "responsible_kinds", "source_sentence", "reading_vi",
                  "reading_en")


def plan_import(*, user, raw_plan: dict, raw_rows: list,
                document_text: str | None = None) -> PlanImportResult:
    """Check the uploaded plan again and save it whole, in one transaction, or nothing.

    Rows are matched on (plan, target code): a re-imported export changes only the targets
    whose cells changed, and each change is recorded with who and when (old → new) and
    queues the recompute of that target. Targets absent from the file are left in place.
    document_text: the plan document's text uploaded with the workbook, which becomes the
    plan's (None keeps the stored one).
    """
    from targets.plan_workbook import plan_check  # the workbook module reads models only

    preview = plan_check(raw_plan=raw_plan, raw_rows=raw_rows, document_text=document_text)
    if preview.city is not None and not user.has_perm(EDIT_PLANS, preview.city):
        raise PlanPermissionError(_("You may import plans only for a city where you are a plan "
                                    "editor."))
    if preview.problems:
        raise PlanImportError(_("The file has problems; nothing was saved. Check it again."))
    with transaction.atomic():
        return _plan_write(user=user, preview=preview, document_text=document_text)


def document_digest(text: str) -> str:
    """How the change log names a document text: its length and a fingerprint, not the text."""
    if not text:
        return ""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    return _("%(chars)s characters, sha256 %(digest)s…") % {"chars": len(text),
                                                           "digest": digest}


def _plan_write(*, user, preview, document_text: str | None) -> PlanImportResult:
    data, city = preview.plan, preview.city
    values = {k: data[k] for k in _PLAN_FIELDS}
    values["issued_on"] = date.fromisoformat(data["issued_on"]) if data["issued_on"] else None
    plan = Plan.objects.select_for_update(of=("self",)).filter(code=data["code"]).first()
    if document_text:
        values["document_text"] = document_text
    recorded = {k: document_digest(v) if k == "document_text" else v for k, v in values.items()}
    if plan is None:
        plan = Plan.objects.create(code=data["code"], city=city, **values)
        change_record(user=user, source=ChangeSource.IMPORT, obj=plan, old=None, new=recorded)
    else:
        old = {k: getattr(plan, k) for k in _PLAN_FIELDS}
        old["document_text"] = document_digest(plan.document_text)
        for k, v in values.items():
            setattr(plan, k, v)
        plan.save()
        change_record(user=user, source=ChangeSource.IMPORT, obj=plan, old=old, new=recorded)
    result = PlanImportResult(plan)
    pillars = {p.code: p for p in Pillar.objects.all()}
    nationals = {n.code: n for n in NationalIndicator.objects.filter(
        code__in={*preview.national_links.values(),
                  *(s.get("national_indicator") for s in preview.new_indicators)})}
    for spec in preview.new_indicators:
        indicator = Indicator.objects.create(
            code=spec["code"], pillar=pillars[spec["pillar"]], name_vi=spec["name_vi"],
            name_en=spec["name_en"], measure=spec["measure"], direction=spec["direction"],
            frequency=spec["frequency"], aggregation=spec["aggregation"],
            national_indicator=nationals.get(spec.get("national_indicator")))
        change_record(user=user, source=ChangeSource.IMPORT, obj=indicator, old=None,
                      new={k: v for k, v in spec.items() if k != "code"})
        result.new_indicators.append(indicator.code)
    # An indicator not yet mapped takes the national indicator the plan gives it.
    for indicator in Indicator.objects.filter(code__in=preview.national_links,
                                              national_indicator__isnull=True):
        indicator.national_indicator = nationals[preview.national_links[indicator.code]]
        indicator.save(update_fields=["national_indicator"])
        change_record(user=user, source=ChangeSource.IMPORT, obj=indicator,
                      old={"national_indicator": None},
                      new={"national_indicator": indicator.national_indicator})
        result.linked_indicators.append(indicator.code)
    indicators = {i.code: i for i in Indicator.objects.filter(
        code__in={t["indicator"] for t in preview.targets})}
    city_units = list(Unit.objects.filter(city=city))
    units_by_code = {u.code: u for u in city_units}
    existing = {t.code: t for t in Target.objects.filter(plan=plan)
                .select_related("indicator").prefetch_related("responsible_units")}
    changed_ids = []
    for row in preview.targets:
        values = {
            "indicator": indicators[row["indicator"]], "year": row["year"],
            "level": row["level"], "comparator": row["comparator"], "value": row["value"],
            "aggregation": row["aggregation"], "unit_comparator": row["unit_comparator"],
            "unit_value": row["unit_value"], "baseline_value": row["baseline_value"],
            "baseline_year": row["baseline_year"], "baseline_source": row["baseline_source"],
            "responsible_kinds": row["kinds"], "source_sentence": row["source_sentence"],
            "reading_vi": row["reading_vi"], "reading_en": row["reading_en"],
        }
        units = responsible_units_resolve(
            named=[units_by_code[c] for c in row["named"]], kinds=row["kinds"],
            city_units=city_units)
        wanted = {u.pk for u in units}
        target = existing.get(row["code"])
        if target is None:
            target = Target.objects.create(plan=plan, code=row["code"],
                                           source_file=plan.source_file, **values)
            target.responsible_units.set(wanted)
            change_record(user=user, source=ChangeSource.IMPORT, obj=target, old=None,
                          new={**values, "responsible": _codes(units)})
            result.created.append(target.code)
            changed_ids.append(target.pk)
            continue
        old = {k: getattr(target, k) for k in _TARGET_FIELDS}
        old_units = list(target.responsible_units.all())
        old["responsible"] = _codes(old_units)
        new = {**values, "responsible": _codes(units)}
        if all(_text(old[k]) == _text(v) for k, v in new.items()):
            result.unchanged.append(target.code)
            continue
        for k, v in values.items():
            setattr(target, k, v)
        target.save()
        if {u.pk for u in old_units} != wanted:
            target.responsible_units.set(wanted)
        change_record(user=user, source=ChangeSource.IMPORT, obj=target, old=old, new=new)
        result.updated.append(target.code)
        changed_ids.append(target.pk)
    for spec in preview.definitions:
        indicator_definition_change(
            user=user, indicator=Indicator.objects.get(code=spec["indicator"]),
            text_vi=spec["text_vi"], text_en=spec["text_en"],
            effective_from=date.fromisoformat(spec["effective_from"]),
            document_number=spec["document_number"], document_title=spec["document_title"])
        result.definitions.append(spec["indicator"])
    catalogue_recompute(target_ids=changed_ids)
    return result


def _codes(units) -> str:
    return ", ".join(sorted(u.code for u in units))


def target_amend(*, user, target: Target, document_number: str, effective_from: date,
                 comparator: str, value: Decimal | None, year: int, retires: bool = False,
                 document_title: str = "", note: str = "") -> TargetAmendment:
    """Amend (or retire) a target from a date by a later document; the earlier version stays.

    Checked with the rules every target obeys; recorded (who, when, old -> new, which
    document) and recomputed like any catalogue edit.
    """
    if not user.has_perm(EDIT_PLANS, target.plan.city):
        raise PlanPermissionError(_("Only the city's plan editors may amend its targets."))
    if target.plan.issued_on and effective_from <= target.plan.issued_on:
        raise PlanImportError(_("An amendment takes effect after the plan was issued (%(day)s).")
                              % {"day": target.plan.issued_on.strftime("%d/%m/%Y")})
    if target.amendments.filter(effective_from=effective_from).exists():
        raise PlanImportError(_("The target is already amended from that day."))
    amended = Target(plan=target.plan, indicator=target.indicator, level=target.level,
                     comparator=comparator, value=value, year=year,
                     aggregation=target.aggregation, unit_comparator=target.unit_comparator,
                     unit_value=target.unit_value, baseline_value=target.baseline_value,
                     baseline_year=target.baseline_year, baseline_source=target.baseline_source,
                     responsible_kinds=target.responsible_kinds)
    units = list(target.responsible_units.all())
    successors = {u.successor_id for u in units}
    named = [u for u in units if u.kind not in (target.responsible_kinds or ())
             and u.pk not in successors]
    problems = [] if retires else target_problems(
        draft_of(amended, named_units=named, kinds_in_city=city_kinds(target.plan.city)))
    if problems:
        raise PlanImportError(" ".join(p.message for p in problems))
    with transaction.atomic():
        before = target.version_on(effective_from)
        amendment = TargetAmendment.objects.create(
            target=target, document_number=document_number, document_title=document_title,
            effective_from=effective_from, comparator=comparator, value=value, year=year,
            retires=retires, note=note, created_by=user if user.is_authenticated else None)
        change_record(
            user=user, source=ChangeSource.AMENDMENT, obj=target,
            old={"comparator": before.comparator, "value": before.value, "year": before.year,
                 "retired": before.retired},
            new={"comparator": comparator, "value": value, "year": year, "retired": retires},
            note=_in_force_note(document_number, effective_from))
        catalogue_recompute(target_ids=[target.pk])
    return amendment


def indicator_definition_change(*, user, indicator: Indicator, text_vi: str, text_en: str,
                                effective_from: date, document_number: str,
                                document_title: str = "") -> IndicatorDefinition:
    """Record that a document redefines an indicator from a date; the earlier definition
    stays for the periods before it.

    Figures keep their values: what changes is how they are read, so nothing is recomputed.
    Recorded in the change log (who, when, old → new, which document).
    """
    if not edits_definitions(user):
        raise PlanPermissionError(_("Only plan editors may record a change of an indicator's "
                                    "definition."))
    text_vi, text_en = text_vi.strip(), text_en.strip()
    document_number = document_number.strip()
    if not text_vi or not document_number:
        raise PlanImportError(_("Give the new definition in Vietnamese and the document that "
                                "sets it."))
    with transaction.atomic():
        Indicator.objects.select_for_update(of=("self",)).filter(pk=indicator.pk).first()
        if indicator.definitions.filter(effective_from=effective_from).exists():
            raise PlanImportError(_("The indicator already has a definition in force from "
                                    "that day."))
        before = indicator.definition_on(effective_from)
        if before.text_vi == text_vi and before.text_en == text_en:
            raise PlanImportError(_("The definition in force on that day already reads so."))
        definition = IndicatorDefinition.objects.create(
            indicator=indicator, text_vi=text_vi, text_en=text_en,
            effective_from=effective_from, document_number=document_number,
            document_title=document_title.strip(),
            created_by=user if user.is_authenticated else None)
        change_record(
            user=user, source=ChangeSource.DEFINITION, obj=indicator,
            old={"definition_vi": before.text_vi, "definition_en": before.text_en},
            new={"definition_vi": text_vi, "definition_en": text_en},
            note=_in_force_note(document_number, effective_from))
    return definition


def _in_force_note(document_number: str, effective_from: date) -> str:
    """The change log's note for a document in force from a day, in the stored language."""
    with stored_language():
        return _("%(document)s, in force from %(day)s") % {
            "document": document_number, "day": effective_from.strftime("%d/%m/%Y")}
