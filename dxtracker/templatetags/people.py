from django import template

from dxtracker.names import full_name as _full_name

register = template.Library()


@register.filter
def full_name(user) -> str:
    """`{{ user|full_name }}`: the name in Vietnamese order (see dxtracker.names)."""
    return _full_name(user)
