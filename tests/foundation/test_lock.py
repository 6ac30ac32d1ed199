"""The lock files pin, with hashes, every dependency pyproject.toml declares, at a version
its bounds allow; and every declared dependency has an upper bound. A dependency added
without `make lock` fails here, with the command to run."""

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
RUNTIME = [Requirement(r) for r in PROJECT["dependencies"]]
DEV = [Requirement(r) for r in PROJECT["optional-dependencies"]["dev"]]


def _pins(lock: str) -> dict[str, tuple[str, int]]:
    """{name: (version, number of hashes)} of a pip-compile --generate-hashes file."""
    text = (ROOT / lock).read_text()
    pins = {}
    for block in re.split(r"\n(?=\S)", text):
        match = re.match(r"([A-Za-z0-9_.\-]+)==([^\s\\;]+)", block)
        if match:
            pins[canonicalize_name(match[1])] = (match[2], block.count("--hash=sha256:"))
    return pins


@pytest.mark.parametrize("lock, declared", [
    ("requirements.lock", RUNTIME), ("requirements-dev.lock", RUNTIME + DEV),
])
def test_every_declared_dependency_is_locked_with_hashes_within_its_bounds(lock, declared):
    pins = _pins(lock)
    for requirement in declared:
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is not in {lock}: run `make lock`"
        version, hashes = pins[name]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{lock} pins {name}=={version} outside {requirement.specifier}: run `make lock`")
        assert hashes, f"{name} has no hash in {lock}"


def test_every_locked_package_has_a_hash():
    for lock in ("requirements.lock", "requirements-dev.lock"):
        assert all(hashes for _version, hashes in _pins(lock).values()), lock


@pytest.mark.parametrize("requirement", RUNTIME + DEV, ids=str)
def test_every_dependency_has_an_upper_bound(requirement):
    assert any(spec.operator in ("<", "<=", "==", "~=") for spec in requirement.specifier), (
        f"{requirement} needs an upper bound at the next major version")
