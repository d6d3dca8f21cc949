from django import template

from catalog.models.policy import format_number

register = template.Library()


@register.filter
def yuan(value):
    """A sum as the printed list writes it: 2,400 and 12.5, no trailing zeros."""
    return format_number(value) if value not in (None, "") else ""
