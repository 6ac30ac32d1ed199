"""Writes on units and memberships."""

from django.contrib.auth.models import Group, Permission

from units.access import NATIONAL_VIEWER_PERM, NATIONAL_VIEWERS_GROUP


def national_viewer_grant(*, user) -> None:
    """Make ``user`` a national viewer: a member of the group that reads every city.

    Migration 0003 creates the group, but a database flushed since (transactional tests, a
    restored dump) may lack it, so the group and its grant are ensured here too.
    """
    app_label, codename = NATIONAL_VIEWER_PERM.split(".")
    group, _ = Group.objects.get_or_create(name=NATIONAL_VIEWERS_GROUP)
    group.permissions.add(
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
    )
    user.groups.add(group)
