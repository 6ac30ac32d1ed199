import pytest

from tests.factories import MembershipFactory, UserFactory
from tests.targets.seeding import seeded, seeded_module, seeds_dir  # noqa: F401
from units.models import Role, Unit


@pytest.fixture
def plan_editor(seeded):  # noqa: F811 (the fixture imported above)
    """DOIT plan editor of Cần Thơ: imports and amends Cần Thơ's plans, nobody else's."""
    user = UserFactory(username="plan_editor")
    MembershipFactory(user=user, unit=Unit.objects.get(code="CT-SKHCN"), role=Role.PLAN_EDITOR)
    return user


@pytest.fixture
def editor_client(client, plan_editor):
    client.force_login(plan_editor)
    return client
