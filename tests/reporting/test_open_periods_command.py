from datetime import date

import pytest
from django.core.management import call_command

from reporting.models import Period


@pytest.mark.django_db
def test_open_periods_creates_the_current_quarter_once(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda: date(2026, 11, 22))
    call_command("open_periods")
    call_command("open_periods")
    assert sorted((p.kind, p.year, p.quarter) for p in Period.objects.all()) == [
        ("quarter", 2026, 4), ("year", 2026, None),
    ]
