"""Model text that users read exists in Vietnamese and English; pick by the active language."""

from django.conf import settings
from django.utils.translation import get_language, override


def is_english() -> bool:
    """True when the active language is English."""
    return (get_language() or "vi").startswith("en")


def localized(obj, field: str) -> str:
    """obj.<field>_en in English when it is filled, else obj.<field>_vi."""
    if is_english():
        value = getattr(obj, f"{field}_en", "")
        if value:
            return value
    return getattr(obj, f"{field}_vi", "")


class BilingualNameMixin:
    """Gives a model with name_vi/name_en a `name` in the active language."""

    @property
    def name(self) -> str:
        return localized(self, "name")


def stored_language():
    """Text written into the database is in the site's first language, whichever language the
    request or task that writes it happens to have active, so history reads the same to all."""
    return override(settings.LANGUAGE_CODE)
