from django import template

from reporting import display

register = template.Library()


@register.filter
def milestone_label(code) -> str:
    """`{{ state|milestone_label }}`: "in_progress" as people read it."""
    return display.milestone_label(code)
