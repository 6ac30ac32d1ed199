"""select_for_update locks only the rows it means to: never the rows it joins."""
import ast
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from reporting import services

ROOT = Path(__file__).resolve().parents[2]


def test_report_lock_is_limited_to_the_report_row():
    query = services._locking_queryset(1).query
    assert query.select_for_update
    assert query.select_for_update_of == ("self",)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="FOR UPDATE OF needs PostgreSQL")
def test_report_lock_sql_names_only_the_report_table(department_reporter, department, period,
                                                    targets):
    report = services.report_open(user=department_reporter, unit=department, period=period)
    with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
        services._locked(report)
    sql = ctx.captured_queries[-1]["sql"]
    assert 'FOR UPDATE OF "reporting_report"' in sql


def _select_for_update_calls():
    for path in ROOT.glob("*/**/*.py"):
        if any(part in {".venv", "node_modules", "tests"} for part in path.parts):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "select_for_update"):
                yield path.relative_to(ROOT), node


def test_every_row_lock_in_the_code_names_its_rows():
    calls = list(_select_for_update_calls())
    assert calls, "the report lock should be found"
    unscoped = [f"{path}:{node.lineno}" for path, node in calls
                if not any(kw.arg == "of" for kw in node.keywords)]
    assert unscoped == []
