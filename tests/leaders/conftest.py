"""The test city with stored results (tests.dashboards.conftest), a city viewer, and helpers that
read the report files back."""

import io

import pytest
from docx import Document
from pypdf import PdfReader
from rest_framework.test import APIClient

from api.services import api_token_issue
from tests.dashboards.conftest import build_city_data
from tests.factories import MembershipFactory, UserFactory
from units.models import Role


@pytest.fixture
def city_data(city, doit, department, district):
    return build_city_data(city=city, units=[doit, department, district], n_targets=6)


@pytest.fixture
def viewer(city):
    """Reads the whole test city (dashboards and the leaders' report); enters nothing."""
    user = UserFactory(username="city_viewer", first_name="Mai")
    MembershipFactory(user=user, unit=city, role=Role.VIEWER)
    return user


@pytest.fixture
def anon_client():
    return APIClient()


@pytest.fixture
def token_client():
    """token_client(user) -> APIClient sending a new read token of that user."""

    def _client(user):
        _token, key = api_token_issue(user=user, name=f"{user.username} system")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return _client


def docx_tables(body: bytes) -> list[list[list[str]]]:
    """Every table of a .docx as rows of cell texts, header row first."""
    tables = Document(io.BytesIO(body)).tables
    return [[[c.text for c in row.cells] for row in t.rows] for t in tables]


def docx_text(body: bytes) -> str:
    doc = Document(io.BytesIO(body))
    parts = [p.text for p in doc.paragraphs]
    for section in doc.sections:
        parts += [p.text for p in section.header.paragraphs]
    return "\n".join(parts)


def pdf_pages(body: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(body)).pages]


def table_with(tables, *headings: str) -> list[list[list[str]]]:
    """The tables whose header row holds every heading given."""
    return [t for t in tables if all(h in t[0] for h in headings)]
