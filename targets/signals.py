"""A unit saved anywhere (load_seed, the admin, a plan import) joins its kind's targets."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from targets.services import target_kinds_resolve
from units.models import Unit


@receiver(post_save, sender=Unit, dispatch_uid="targets.unit_joins_kind_targets")
def unit_joins_kind_targets(sender, instance: Unit, raw: bool = False, **kwargs) -> None:
    if not raw:
        target_kinds_resolve(unit=instance)
