"""Load the transcribed source documents (fixtures/*.yaml) into units, catalogue, plans and figures.

The YAML layout is described in docs/fixture-format.md. Everything is validated while it is
written, inside one transaction: the first bad entry raises SeedError naming the file and the
entry, and the transaction leaves the database as it was. Rows are matched on their natural
keys and saved only when a value differs, so a second run reports no change.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from reporting.models import ApprovedFigure, FigureOrigin, MilestoneState
from reporting.periods import parse_period_code, period_from_code
from targets.models import (
    Aggregation,
    BaselineSource,
    Comparator,
    Direction,
    Frequency,
    Indicator,
    Level,
    Measure,
    NationalIndicator,
    Pillar,
    PillarKind,
    Plan,
    Target,
)
from targets.services import responsible_units_resolve
from targets.validation import TargetDraft, city_kinds, sentence_problems, target_problems
from units.models import Unit, UnitKind

DEFAULT_FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"

# "1.000" in a Vietnamese text is one thousand; YAML would read it as 1.0. Refuse the form.
_AMBIGUOUS_THOUSANDS = re.compile(r"^[-+]?[1-9]\d{0,2}(\.\d{3})+$")


class SeedError(Exception):
    """A fixture entry that cannot be loaded; names the file and the entry."""

    def __init__(self, message: str, *, file: str | None = None, entry: str | None = None):
        self.message = message
        self.file = file
        self.entry = entry
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ": ".join(part for part in (self.file, self.entry) if part)
        return f"{where}: {self.message}" if where else self.message


@dataclass
class ModelCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class SeedReport:
    """What a load did, per model: rows created, updated and left unchanged."""

    counts: dict[str, ModelCounts] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def count(self, label: str) -> ModelCounts:
        return self.counts.setdefault(label, ModelCounts())

    @property
    def changed(self) -> int:
        return sum(c.created + c.updated for c in self.counts.values())

    def lines(self) -> list[str]:
        return [
            _("%(model)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged")
            % {"model": label, "created": c.created, "updated": c.updated,
               "unchanged": c.unchanged}
            for label, c in self.counts.items()
        ]


# --------------------------------------------------------------------------- reading YAML


class _SeedYamlLoader(yaml.SafeLoader):
    """SafeLoader that reads non-integer numbers as exact Decimals."""


def _construct_decimal(loader: yaml.SafeLoader, node: yaml.Node) -> Decimal:
    text = str(loader.construct_scalar(node)).replace("_", "")
    if _AMBIGUOUS_THOUSANDS.match(text):
        raise SeedError(
            _("line %(line)d: %(text)s is ambiguous; write 1000 for one thousand, "
              "1.0 for one") % {"line": node.start_mark.line + 1, "text": text}
        )
    try:
        value = Decimal(text)
    except InvalidOperation as exc:  # .inf / .nan
        raise SeedError(_("line %(line)d: %(text)s is not a number")
                        % {"line": node.start_mark.line + 1, "text": text}) from exc
    if not value.is_finite():
        raise SeedError(_("line %(line)d: %(text)s is not a finite number")
                        % {"line": node.start_mark.line + 1, "text": text})
    return value


_SeedYamlLoader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)


def _read_yaml(path: Path, base: Path) -> dict:
    name = _rel(path, base)
    try:
        with path.open(encoding="utf-8") as fh:
            data = yaml.load(fh, Loader=_SeedYamlLoader)  # a SafeLoader subclass
    except SeedError as exc:
        raise SeedError(exc.message, file=name) from exc
    except yaml.YAMLError as exc:
        raise SeedError(_("not valid YAML: %(error)s") % {"error": exc}, file=name) from exc
    if not isinstance(data, dict):
        raise SeedError(_("expected a mapping at the top level"), file=name)
    return data


def _rel(path: Path, base: Path) -> str:
    try:
        return str(path.relative_to(base))
    except ValueError:
        return str(path)


def seeds_dir_default() -> Path | None:
    """Where the source documents are: $SEEDS_DIR, else ../shared/seeds beside the repository."""
    env = os.environ.get("SEEDS_DIR")
    candidate = Path(env) if env else Path(settings.BASE_DIR).parent / "shared" / "seeds"
    return candidate if candidate.is_dir() else None


# --------------------------------------------------------------------------- entry checking


class _Entry:
    """One YAML mapping with the file and a label for error messages."""

    def __init__(self, data: Any, *, file: str, label: str,
                 required: Iterable[str], optional: Iterable[str]):
        self.file = file
        self.label = label
        if not isinstance(data, dict):
            self.fail(_("expected a mapping, got %(value)r") % {"value": data})
        self.data = data
        if data.get("code"):
            self.label = f"{label} {data['code']}"
        allowed = set(required) | set(optional)
        unknown = sorted(set(data) - allowed)
        if unknown:
            self.fail(_("unknown field(s) %(fields)s; allowed: %(allowed)s")
                      % {"fields": ", ".join(unknown), "allowed": ", ".join(sorted(allowed))})
        missing = [key for key in required if data.get(key) in (None, "")]
        if missing:
            self.fail(_("missing field(s) %(fields)s") % {"fields": ", ".join(missing)})

    def fail(self, message: str):
        raise SeedError(message, file=self.file, entry=self.label)

    def text(self, key: str) -> str:
        value = self.data.get(key)
        if value is None:
            return ""
        if not isinstance(value, str | int):
            self.fail(_("%(field)s must be text") % {"field": key})
        return str(value).strip()

    def choice(self, key: str, choices: type[models.TextChoices], default: str | None = None,
               *, blank: bool = False):
        value = self.data.get(key, default)
        if value is None:
            value = default
        if blank and value in ("", None):
            return ""
        if value not in choices.values:
            self.fail(_("%(field)s %(value)r is not one of %(allowed)s")
                      % {"field": key, "value": value, "allowed": ", ".join(choices.values)})
        return value

    def number(self, key: str) -> Decimal | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            self.fail(_("%(field)s %(value)r is not a plain number (write 1000, 12.5)")
                      % {"field": key, "value": value})
        return Decimal(value)

    def integer(self, key: str) -> int | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(_("%(field)s %(value)r is not a whole number")
                      % {"field": key, "value": value})
        return value

    def day(self, key: str) -> date | None:
        value = self.data.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, datetime) or not isinstance(value, date):
            self.fail(_("%(field)s %(value)r is not an ISO date (YYYY-MM-DD)")
                      % {"field": key, "value": value})
        return value

    def flag(self, key: str) -> bool:
        value = self.data.get(key, False)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.fail(_("%(field)s must be true or false") % {"field": key})
        return value

    def text_list(self, key: str) -> list[str]:
        value = self.data.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(_("%(field)s must be a list of texts") % {"field": key})
        return [v.strip() for v in value]


def _entries(data: dict, key: str, *, file: str, label: str, required, optional) -> list[_Entry]:
    items = data.get(key)
    if items is None:
        return []
    if not isinstance(items, list):
        raise SeedError(_("%(key)s must be a list") % {"key": key}, file=file)
    return [
        _Entry(item, file=file, label=f"{label} #{i}", required=required, optional=optional)
        for i, item in enumerate(items, start=1)
    ]


# --------------------------------------------------------------------------- writing rows


def _upsert(model: type[models.Model], report: SeedReport, lookup: dict, values: dict, *,
            entry: _Entry) -> tuple[models.Model, str]:
    """Get the row by its natural key and save it only when a value differs.

    Returns the row and what happened to it: "created", "updated" or "unchanged".
    """
    counts = report.count(model._meta.label)
    obj = model.objects.filter(**lookup).first()
    created = obj is None
    if created:
        obj = model(**lookup, **values)
    else:
        changed = [
            name for name, wanted in values.items()
            if getattr(obj, _attname(model, name)) != _raw(wanted)
        ]
        if not changed:
            counts.unchanged += 1
            return obj, "unchanged"
        for name in changed:
            setattr(obj, name, values[name])
    try:
        obj.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        entry.fail("; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items()
        ))
    obj.save()
    if created:
        counts.created += 1
        return obj, "created"
    counts.updated += 1
    return obj, "updated"


def _attname(model: type[models.Model], name: str) -> str:
    f = model._meta.get_field(name)
    return f.attname if f.is_relation else name


def _raw(value: Any) -> Any:
    return value.pk if isinstance(value, models.Model) else value


class _Loader:
    def __init__(self, *, fixtures_dir: Path, seeds_dir: Path | None, report: SeedReport):
        self.base = fixtures_dir
        self.seeds_dir = seeds_dir
        self.report = report
        self._seed_texts: dict[str, str | None] = {}

    # -- helpers
    def seed_text(self, source_file: str) -> str | None:
        if source_file not in self._seed_texts:
            path = self.seeds_dir / source_file if self.seeds_dir else None
            self._seed_texts[source_file] = (
                path.read_text(encoding="utf-8") if path and path.is_file() else None
            )
            if self._seed_texts[source_file] is None:
                self.report.warnings.append(
                    _("%(file)s not found: source sentences from it were not checked (the "
                      "source documents are not in the repository; point --seeds or SEEDS_DIR "
                      "at them to check the quotes; everything else was loaded)")
                    % {"file": source_file}
                )
        return self._seed_texts[source_file]

    def check_sentence(self, entry: _Entry, source_file: str, sentence: str) -> None:
        # The rule of every quote, the one the import and the admin apply (validation.py).
        for problem in sentence_problems(sentence, self.seed_text(source_file) or ""):
            entry.fail(_("%(problem)s (%(file)s): %(sentence)r")
                       % {"problem": problem.message, "file": source_file,
                          "sentence": sentence})

    def unit(self, entry: _Entry, code: str) -> Unit:
        unit = Unit.objects.filter(code=code).first()
        if unit is None:
            entry.fail(_("unknown unit code %(code)r") % {"code": code})
        return unit

    def indicator(self, entry: _Entry, code: str) -> Indicator:
        indicator = self._indicators.get(code)
        if indicator is None:
            entry.fail(_("unknown indicator code %(code)r") % {"code": code})
        return indicator

    # -- files
    def load(self) -> None:
        catalogue = self.base / "catalogue.yaml"
        units = self.base / "units.yaml"
        for path in (catalogue, units):
            if not path.is_file():
                raise SeedError(_("file is missing"), file=_rel(path, self.base))
        self.load_units(units)
        self.load_catalogue(catalogue)
        self._indicators = {i.code: i for i in Indicator.objects.all()}
        for path in sorted((self.base / "plans").glob("*.yaml")):
            self.load_plan(path)
        figures = self.base / "figures.yaml"
        if figures.is_file():
            self.load_figures(figures)

    def load_catalogue(self, path: Path) -> None:
        name = _rel(path, self.base)
        data = _read_yaml(path, self.base)
        pillars = {}
        for order, e in enumerate(_entries(data, "pillars", file=name, label=_("pillar"),
                                           required=("code", "kind", "name_vi"),
                                           optional=("name_en",)), start=1):
            code = e.text("code")
            pillars[code], _status = _upsert(Pillar, self.report, {"code": code}, {
                "kind": e.choice("kind", PillarKind), "name_vi": e.text("name_vi"),
                "name_en": e.text("name_en"), "order": order,
            }, entry=e)
        nationals = {}
        for e in _entries(data, "national_indicators", file=name, label=_("national indicator"),
                          required=("code", "name_vi"), optional=("name_en", "decision")):
            values = {"name_vi": e.text("name_vi"), "name_en": e.text("name_en")}
            if e.text("decision"):
                values["decision"] = e.text("decision")
            nationals[e.text("code")], _status = _upsert(
                NationalIndicator, self.report, {"code": e.text("code")}, values, entry=e
            )
        for e in _entries(data, "indicators", file=name, label=_("indicator"),
                          required=("code", "pillar", "name_vi", "measure"),
                          optional=("name_en", "direction", "aggregation", "fraction",
                                    "frequency", "national_indicator", "reports_change")):
            pillar = pillars.get(e.text("pillar")) or Pillar.objects.filter(
                code=e.text("pillar")).first()
            if pillar is None:
                e.fail(_("unknown pillar code %(code)r") % {"code": e.text("pillar")})
            national = None
            if e.text("national_indicator"):
                code = e.text("national_indicator")
                national = nationals.get(code) or NationalIndicator.objects.filter(
                    code=code).first()
                if national is None:
                    e.fail(_("unknown national indicator code %(code)r") % {"code": code})
            _upsert(Indicator, self.report, {"code": e.text("code")}, {
                "pillar": pillar, "name_vi": e.text("name_vi"), "name_en": e.text("name_en"),
                "measure": e.choice("measure", Measure),
                "direction": e.choice("direction", Direction, Direction.HIGHER),
                "aggregation": e.choice("aggregation", Aggregation, Aggregation.MEAN),
                "fraction": e.flag("fraction"),
                "frequency": e.choice("frequency", Frequency, Frequency.QUARTERLY),
                "national_indicator": national,
                "reports_change": e.flag("reports_change"),
            }, entry=e)

    def load_units(self, path: Path) -> None:
        name = _rel(path, self.base)
        data = _read_yaml(path, self.base)
        entries = _entries(data, "units", file=name, label=_("unit"),
                           required=("code", "kind", "name_vi"),
                           optional=("name_en", "parent", "city", "valid_from", "valid_to",
                                     "successor", "note", "email"))
        by_code: dict[str, _Entry] = {}
        for e in entries:
            if e.text("code") in by_code:
                e.fail(_("duplicate unit code"))
            by_code[e.text("code")] = e
        saved: dict[str, Unit] = {}

        def resolve(e: _Entry, key: str, visiting: set[str]) -> Unit | None:
            code = e.text(key)
            if not code:
                return None
            if code in by_code:
                if code in visiting:
                    e.fail(_("%(field)s %(code)r makes a cycle") % {"field": key, "code": code})
                return save(by_code[code], visiting)
            return self.unit(e, code)

        def save(e: _Entry, visiting: set[str]) -> Unit:
            code = e.text("code")
            if code in saved:
                return saved[code]
            visiting = visiting | {code}
            kind = e.choice("kind", UnitKind)
            parent = resolve(e, "parent", visiting)
            successor = resolve(e, "successor", visiting)
            city = resolve(e, "city", visiting)
            if city is not None and city.kind != UnitKind.PROVINCE:
                e.fail(_("city %(code)r is not a province-level unit") % {"code": city.code})
            if kind != UnitKind.PROVINCE and city is None and parent is not None:
                city = parent if parent.kind == UnitKind.PROVINCE else parent.city
            valid_from, valid_to = e.day("valid_from"), e.day("valid_to")
            if valid_from and valid_to and valid_to <= valid_from:
                e.fail(_("valid_to must be after valid_from"))
            if successor is not None and valid_to is None:
                e.fail(_("a unit with a successor needs valid_to (the day it ceased)"))
            values = {
                "kind": kind, "name_vi": e.text("name_vi"), "name_en": e.text("name_en"),
                "parent": parent, "valid_from": valid_from, "valid_to": valid_to,
                "successor": successor, "note": e.text("note"), "email": e.text("email"),
            }
            if kind != UnitKind.PROVINCE:
                values["city"] = city
            existing = Unit.objects.filter(code=code).first()
            if kind == UnitKind.PROVINCE and existing is not None:
                values["city"] = existing  # Unit.save keeps a province its own city
            saved[code], _status = _upsert(Unit, self.report, {"code": code}, values, entry=e)
            return saved[code]

        for e in entries:
            save(e, set())

    def load_plan(self, path: Path) -> None:
        name = _rel(path, self.base)
        data = _read_yaml(path, self.base)
        unknown = sorted(set(data) - {"source_file", "plan", "targets"})
        if unknown:
            raise SeedError(_("unknown top-level key(s) %(keys)s") % {"keys": ", ".join(unknown)},
                            file=name)
        source_file = data.get("source_file")
        if not isinstance(source_file, str) or not source_file.strip():
            raise SeedError(_("missing source_file"), file=name)
        source_file = source_file.strip()
        p = _Entry(data.get("plan"), file=name, label=_("plan"),
                   required=("code", "city", "title_vi", "issuing_body_vi"),
                   optional=("title_en", "document_number", "issued_on", "issuing_body_en",
                             "legal_basis", "horizon_years", "note", "note_vi", "note_en"))
        city = self.unit(p, p.text("city"))
        if city.kind != UnitKind.PROVINCE:
            p.fail(_("city %(code)r is not a province-level unit") % {"code": city.code})
        horizon = p.data.get("horizon_years") or []
        if not isinstance(horizon, list) or not all(
            isinstance(y, int) and not isinstance(y, bool) for y in horizon
        ):
            p.fail(_("horizon_years must be a list of years"))
        document = self.seed_text(source_file)
        # Without the seeds at hand the stored text is kept, never blanked.
        document_values = {} if document is None else {"document_text": document}
        plan, _status = _upsert(Plan, self.report, {"code": p.text("code")}, {
            **document_values,
            "city": city, "title_vi": p.text("title_vi"), "title_en": p.text("title_en"),
            "document_number": p.text("document_number"), "issued_on": p.day("issued_on"),
            "issuing_body_vi": p.text("issuing_body_vi"),
            "issuing_body_en": p.text("issuing_body_en"),
            "legal_basis": p.text_list("legal_basis"), "horizon_years": horizon,
            "source_file": source_file, "note_vi": p.text("note_vi"),
            # `note` records transcription choices, written in English by the transcriber
            "note_en": p.text("note_en") or p.text("note"),
        }, entry=p)
        city_units = list(Unit.objects.filter(city=city).order_by("code"))
        kinds = city_kinds(city)
        seen: set[str] = set()
        for e in _entries(data, "targets", file=name, label=_("target"),
                          required=("code", "indicator", "year", "comparator",
                                    "source_sentence"),
                          optional=("level", "value", "baseline_value", "baseline_year",
                                    "baseline_source", "aggregation", "unit_comparator",
                                    "unit_value", "responsible", "reading_vi", "reading_en",
                                    "note")):
            if e.text("code") in seen:
                e.fail(_("duplicate target code in this plan"))
            seen.add(e.text("code"))
            self.load_target(e, plan=plan, source_file=source_file, city_units=city_units,
                             kinds_in_city=kinds)
        stale = Target.objects.filter(plan=plan).exclude(code__in=seen).values_list(
            "code", flat=True)
        for code in stale:
            self.report.warnings.append(
                _("%(file)s: target %(code)s is in the database but no longer in the file; "
                  "left in place") % {"file": name, "code": code})

    def load_target(self, e: _Entry, *, plan: Plan, source_file: str,
                    city_units: list[Unit], kinds_in_city: frozenset[str]) -> None:
        indicator = self.indicator(e, e.text("indicator"))
        comparator = e.choice("comparator", Comparator)
        value = e.number("value")
        baseline_value, baseline_year = e.number("baseline_value"), e.integer("baseline_year")
        # A transcribed baseline comes from the document unless the entry says otherwise.
        baseline_source = e.choice("baseline_source", BaselineSource,
                                   BaselineSource.DOCUMENT if baseline_value is not None
                                   else "", blank=True)
        year = e.integer("year")
        if not year or not 1900 < year < 2200:
            e.fail(_("year %(year)r is not a plausible year") % {"year": e.data.get("year")})
        level = e.choice("level", Level, Level.CITY)
        aggregation = e.choice("aggregation", Aggregation, "", blank=True)
        unit_comparator = e.choice("unit_comparator", Comparator, "", blank=True)
        unit_value = e.number("unit_value")
        named, kinds = self.read_responsible(e)
        draft = TargetDraft(
            level=level, comparator=comparator, value=value, measure=indicator.measure,
            indicator_aggregation=indicator.aggregation,
            reports_change=indicator.reports_change, aggregation=aggregation,
            unit_comparator=unit_comparator, unit_value=unit_value,
            baseline_value=baseline_value, baseline_year=baseline_year,
            baseline_source=baseline_source,
            named_unit_kinds=tuple(u.kind for u in named), responsible_kinds=tuple(kinds),
            kinds_in_city=kinds_in_city,
        )
        problems = target_problems(draft)
        if problems:
            e.fail("; ".join(f"{p.field}: {p.message}" for p in problems))
        sentence = e.text("source_sentence")
        self.check_sentence(e, source_file, sentence)
        responsible = self.expand_responsible(e, named, kinds, city_units)
        target, status = _upsert(Target, self.report, {"plan": plan, "code": e.text("code")}, {
            "indicator": indicator, "year": year, "level": level, "comparator": comparator,
            "value": value, "baseline_value": baseline_value, "baseline_year": baseline_year,
            "baseline_source": baseline_source, "aggregation": aggregation,
            "unit_comparator": unit_comparator, "unit_value": unit_value,
            "responsible_kinds": kinds,
            "reading_vi": e.text("reading_vi"), "reading_en": e.text("reading_en"),
            "source_sentence": sentence, "source_file": source_file,
        }, entry=e)
        current = set(target.responsible_units.values_list("pk", flat=True))
        wanted = {u.pk for u in responsible}
        if current != wanted:
            target.responsible_units.set(wanted)
            if status == "unchanged":
                counts = self.report.count(Target._meta.label)
                counts.unchanged -= 1
                counts.updated += 1

    def read_responsible(self, e: _Entry) -> tuple[list[Unit], list[str]]:
        """The units named one by one, and the kinds given as kind:<kind>."""
        raw = e.data.get("responsible") or []
        if not isinstance(raw, list):
            e.fail(_("responsible must be a list of unit codes or kind:<kind>"))
        named: list[Unit] = []
        kinds: list[str] = []
        for item in raw:
            item = str(item).strip()
            if item.startswith("kind:"):
                kind = item.removeprefix("kind:")
                if kind not in UnitKind.values:
                    e.fail(_("responsible %(item)r: %(kind)r is not one of %(allowed)s")
                           % {"item": item, "kind": kind, "allowed": ", ".join(UnitKind.values)})
                if kind not in kinds:
                    kinds.append(kind)
            else:
                named.append(self.unit(e, item))
        return named, kinds

    def expand_responsible(self, e: _Entry, named: list[Unit], kinds: list[str],
                           city_units: list[Unit]) -> list[Unit]:
        for kind in kinds:
            if not any(u.kind == kind for u in city_units):
                self.report.warnings.append(
                    _("%(file)s: %(entry)s: no unit of kind %(kind)s in the city")
                    % {"file": e.file, "entry": e.label, "kind": kind})
        return responsible_units_resolve(named=named, kinds=kinds, city_units=city_units)

    def load_figures(self, path: Path) -> None:
        name = _rel(path, self.base)
        data = _read_yaml(path, self.base)
        for e in _entries(data, "figures", file=name, label=_("figure"),
                          required=("indicator", "unit", "period", "source_file",
                                    "source_sentence"),
                          optional=("value", "numerator", "denominator", "milestone",
                                    "derived", "lower_bound", "note_vi", "note_en")):
            e.label = f"{e.label} ({e.text('indicator')} {e.text('unit')} {e.text('period')})"
            indicator = self.indicator(e, e.text("indicator"))
            unit = self.unit(e, e.text("unit"))
            code = e.text("period")
            try:
                parse_period_code(code)
            except ValueError:
                e.fail(_("period %(code)r is not YYYY or YYYY-Qn") % {"code": code})
            values = {
                "value": e.number("value"), "numerator": e.number("numerator"),
                "denominator": e.number("denominator"),
            }
            if values["denominator"] == 0:
                e.fail(_("denominator is zero"))
            milestone = e.data.get("milestone")
            if milestone is not None and milestone not in MilestoneState.values:
                e.fail(_("milestone %(value)r is not one of %(allowed)s")
                       % {"value": milestone, "allowed": ", ".join(MilestoneState.values)})
            if all(v is None for v in values.values()) and milestone is None:
                e.fail(_("a figure needs a value, a numerator and denominator, or a milestone"))
            source_file = e.text("source_file")
            sentence = e.text("source_sentence")
            self.check_sentence(e, source_file, sentence)
            period = period_from_code(code)
            approved_at = datetime.combine(
                period.ends_on, time(23, 59, 59), tzinfo=ZoneInfo(settings.TIME_ZONE)
            )
            _upsert(ApprovedFigure, self.report, {
                "indicator": indicator, "unit": unit, "period": period,
                "origin": FigureOrigin.DOCUMENT, "superseded_at": None,
            }, {
                **values, "milestone_state": milestone or "", "approved_at": approved_at,
                "derived": e.flag("derived"), "lower_bound": e.flag("lower_bound"),
                "source_file": source_file,
                "source_sentence": sentence, "note_vi": e.text("note_vi"),
                "note_en": e.text("note_en"), "report": None, "revision": 1,
                "approved_by": None,
            }, entry=e)


def seed_load(*, fixtures_dir: Path, stdout: TextIO | None = None,
              seeds_dir: Path | None = None) -> SeedReport:
    """Load every fixture file in one transaction; raise SeedError and load nothing on bad input.

    seeds_dir defaults to $SEEDS_DIR or ../shared/seeds; when the source documents are not
    there, source sentences are not checked (a warning says so).
    """
    fixtures_dir = Path(fixtures_dir)
    if not fixtures_dir.is_dir():
        raise SeedError(_("fixtures directory %(dir)s does not exist") % {"dir": fixtures_dir})
    report = SeedReport()
    loader = _Loader(fixtures_dir=fixtures_dir, seeds_dir=seeds_dir or seeds_dir_default(),
                     report=report)
    with transaction.atomic():
        loader.load()
    if stdout is not None:
        _write(stdout, report.lines() + [_("warning: %s") % w for w in report.warnings])
    return report


def _write(stdout: TextIO | Callable, lines: list[str]) -> None:
    for line in lines:
        stdout.write(line + "\n")
