"""The rules a target must satisfy before it is saved, whoever writes it.

`load_seed`, the plan import and the admin all ask `target_problems`, so a combination that
cannot produce a meaningful value (a share of units over one consolidating department, a sum
where the plan says "each district", a reduction with no base) is refused the same way
everywhere. The rules work on plain values (a `TargetDraft`), not on saved rows, so a file can
be checked row by row before anything is written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from targets.models import (
    RELATIVE_COMPARATORS,
    SHARE_RULES,
    Aggregation,
    BaselineSource,
    Comparator,
    Level,
    Measure,
    Target,
)
from units.models import Unit


@dataclass(frozen=True)
class TargetDraft:
    """A target as written in a fixture, a spreadsheet row or the admin form."""

    level: str
    comparator: str
    value: Decimal | None
    measure: str
    indicator_aggregation: str
    reports_change: bool = False
    aggregation: str = ""
    unit_comparator: str = ""
    unit_value: Decimal | None = None
    baseline_value: Decimal | None = None
    baseline_year: int | None = None
    baseline_source: str = ""
    # Kinds of the units named one by one, and the kinds given as "kind:<kind>".
    named_unit_kinds: tuple[str, ...] = ()
    responsible_kinds: tuple[str, ...] = ()
    # Kinds of which the plan's city has (or had) units at all.
    kinds_in_city: frozenset[str] = field(default_factory=frozenset)
    # The quote and the text of the plan's document; an empty document text leaves the
    # quote unchecked (plans loaded before documents were attached), and callers warn.
    source_sentence: str = ""
    document_text: str = ""

    @property
    def combination(self) -> str:
        return self.aggregation or self.indicator_aggregation


@dataclass(frozen=True)
class Problem:
    """One refused rule: the field to fix and why, in the reader's language."""

    field: str
    message: str


def target_problems(draft: TargetDraft) -> list[Problem]:
    """Every rule the draft breaks (empty when it can be saved)."""
    problems: list[Problem] = []
    problems += _comparator_problems(draft)
    problems += _baseline_problems(draft)
    problems += _combination_problems(draft)
    problems += sentence_problems(draft.source_sentence, draft.document_text)
    return problems


# Typographic variants a copy from Word, a PDF or a web page brings in, and their plain form.
_QUOTES = str.maketrans({
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2033": '"', "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u2013": "-", "\u2014": "-", "\u2012": "-", "\u2212": "-", "\u00ad": None,
    "\u200b": None, "\ufeff": None,
})
_SPACES = re.compile(r"\s+")


def text_normalized(text: str) -> str:
    """The form quotes are compared in: Unicode NFC (a Vietnamese letter typed as base +
    combining marks equals the precomposed one), plain quotes and dashes, one space for any
    run of white space (line breaks of a PDF or a spreadsheet cell)."""
    text = unicodedata.normalize("NFC", text or "").translate(_QUOTES)
    return _SPACES.sub(" ", text).strip()


def sentence_in_document(sentence: str, document_text: str) -> bool:
    """Whether the quote occurs in the document text, after normalisation on both sides."""
    return text_normalized(sentence) in text_normalized(document_text)


def sentence_problems(sentence: str, document_text: str) -> list[Problem]:
    """The quote must occur in the plan's document; unchecked when no text is attached."""
    if not document_text or not sentence:
        return []
    if sentence_in_document(sentence, document_text):
        return []
    return [Problem("source_sentence", _(
        "the source sentence does not occur in the plan's document text (compared without "
        "regard to line breaks, spacing and quote marks): copy it exactly from the document"
    ))]


def _comparator_problems(d: TargetDraft) -> list[Problem]:
    problems = []
    if d.value is None and d.comparator != Comparator.MILESTONE:
        problems.append(Problem("value", _("comparator %(comparator)s needs a value")
                                % {"comparator": d.comparator}))
    if (d.comparator == Comparator.MILESTONE) != (d.measure == Measure.MILESTONE):
        problems.append(Problem("comparator", _(
            "a milestone comparator goes with a milestone indicator, and only with one "
            "(comparator %(comparator)s, measure %(measure)s)"
        ) % {"comparator": d.comparator, "measure": d.measure}))
    if d.comparator == Comparator.TOP_N and d.measure != Measure.RANK:
        problems.append(Problem("comparator", _(
            "top_n compares a rank; this indicator measures %(measure)s"
        ) % {"measure": d.measure}))
    return problems


def _baseline_problems(d: TargetDraft) -> list[Problem]:
    problems = []
    relative = d.comparator in RELATIVE_COMPARATORS
    if d.baseline_source == BaselineSource.NEEDED:
        if not relative:
            problems.append(Problem("baseline_source", _(
                "only a 'reduce by' or 'increase by' target needs a baseline"
            )))
        if d.baseline_value is not None:
            problems.append(Problem("baseline_source", _(
                "baseline_source says the baseline is needed, but a baseline value is given"
            )))
    if d.baseline_value is not None and d.baseline_year is None:
        problems.append(Problem("baseline_year", _("a baseline value needs its year")))
    if d.baseline_value is None and d.baseline_year is not None:
        problems.append(Problem("baseline_value", _("a baseline year needs its value")))
    if (relative and d.baseline_value is None and not d.reports_change
            and d.baseline_source != BaselineSource.NEEDED):
        problems.append(Problem("baseline_value", _(
            "%(comparator)s is a change from a baseline: give baseline_value and "
            "baseline_year (from the document, or entered and marked baseline_source: "
            "entered), or mark baseline_source: needed; a reported level is never read as "
            "'%% changed so far'"
        ) % {"comparator": d.comparator}))
    return problems


def _combination_problems(d: TargetDraft) -> list[Problem]:
    rule = d.combination
    problems = []
    if rule == Aggregation.CONSOLIDATED and (d.responsible_kinds or len(d.named_unit_kinds) != 1):
        problems.append(Problem("responsible", _(
            "'consolidated' means one unit's figure is the city's value: name exactly "
            "one responsible unit and no kind of unit"
        )))
    # Milestones combine by state (done when every responsible unit is done), not by rule.
    if rule in SHARE_RULES and d.measure != Measure.MILESTONE:
        if d.named_unit_kinds or not d.responsible_kinds:
            problems.append(Problem("responsible", _(
                "%(rule)s is a share of the units of a kind, each reporting for itself: "
                "give the responsible units as kind:<kind>, not by name; when one unit "
                "reports the city's figure, use 'consolidated'"
            ) % {"rule": rule}))
        missing = [k for k in d.responsible_kinds if k not in d.kinds_in_city]
        if missing:
            problems.append(Problem("responsible", _(
                "%(rule)s over kind %(kinds)s, but the city has no unit of that kind, so "
                "the share could only be all or nothing; use 'consolidated' with the unit "
                "that reports the city's figure"
            ) % {"rule": rule, "kinds": ", ".join(missing)}))
    if rule == Aggregation.SUM and d.level != Level.CITY:
        problems.append(Problem("aggregation", _(
            "a target at the %(level)s level asks each unit of that level; a sum would let "
            "one unit meet it for all: use share_of_units with the unit threshold"
        ) % {"level": d.level}))
    if rule == Aggregation.SHARE_OF_UNITS:
        if not d.unit_comparator:
            problems.append(Problem("unit_comparator", _(
                "share_of_units needs what each unit must reach (unit_comparator, unit_value)"
            )))
        elif d.unit_value is None and d.unit_comparator != Comparator.MILESTONE:
            problems.append(Problem("unit_value", _("unit_comparator needs unit_value")))
    elif d.unit_comparator or d.unit_value is not None:
        problems.append(Problem("unit_comparator", _(
            "a unit threshold only applies to share_of_units"
        )))
    return problems


def city_kinds(city: Unit) -> frozenset[str]:
    """Kinds of which the city has, or had, units."""
    return frozenset(Unit.objects.filter(city=city).values_list("kind", flat=True).distinct())


def draft_of(target: Target, *, named_units: Iterable[Unit] | None = None,
             kinds_in_city: frozenset[str] | None = None,
             document_text: str | None = None) -> TargetDraft:
    """The draft of a target row (unsaved or saved), for the admin and re-checks."""
    indicator = target.indicator
    if named_units is None:
        named_units = target.responsible_units.all() if target.pk else []
    if kinds_in_city is None:
        kinds_in_city = city_kinds(target.plan.city)
    return TargetDraft(
        level=target.level, comparator=target.comparator, value=target.value,
        measure=indicator.measure, indicator_aggregation=indicator.aggregation,
        reports_change=indicator.reports_change, aggregation=target.aggregation,
        unit_comparator=target.unit_comparator, unit_value=target.unit_value,
        baseline_value=target.baseline_value, baseline_year=target.baseline_year,
        baseline_source=target.baseline_source,
        named_unit_kinds=tuple(u.kind for u in named_units),
        responsible_kinds=tuple(target.responsible_kinds or ()),
        kinds_in_city=kinds_in_city,
        source_sentence=target.source_sentence or "",
        document_text=target.plan.document_text if document_text is None else document_text,
    )

