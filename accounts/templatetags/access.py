"""`{% load access %}`: `{% if user|may_open:"partners:market-list" %}` shows a link only to
those whose role passes the page's gate (accounts.access.may_open)."""

from django import template

from accounts import access

register = template.Library()


@register.filter
def may_open(user, url_name: str) -> bool:
    return access.may_open(user, url_name)
