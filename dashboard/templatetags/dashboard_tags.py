from django import template

from dashboard.selectors import partner_numbers
from partners.models import Partner

register = template.Library()


@register.inclusion_tag("dashboard/snippets/partner_numbers.html")
def partner_numbers_card(partner: Partner, is_owner: bool) -> dict:
    """Today's and this week's numbers on the partner's home; earnings for the owner only."""
    return {"numbers": partner_numbers(partner=partner), "is_owner": is_owner}
