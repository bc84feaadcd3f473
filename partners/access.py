"""Who may act on a partner or an application: the partners layer of the access vocabulary
(see accounts/access.py). Every check raises `hubdelivery.exceptions.NotAllowed`.

The owner of a partner is `Partner.is_owned_by` (Partner.owner), everywhere: pages, services
and the packages app ask here, never a member row's role.
"""

from django.utils.translation import gettext

from accounts.models import User
from hubdelivery.exceptions import NotAllowed
from partners.models import Partner, PartnerApplication, PartnerMember
from partners.selectors.partners import membership_current_for


def owner_require(*, actor: User, partner: Partner) -> None:
    if not partner.is_owned_by(actor.pk):
        raise NotAllowed(gettext("Only the business owner can do this."))


def member_get(*, actor: User, partner: Partner) -> PartnerMember | None:
    """The actor's current membership when it is with `partner` (a person works for one
    partner at a time, so it is their current membership or none)."""
    membership = membership_current_for(user=actor)
    if membership is None or membership.partner_id != partner.pk:
        return None
    return membership


def member_require(*, actor: User, partner: Partner) -> PartnerMember:
    member = member_get(actor=actor, partner=partner)
    if member is None:
        raise NotAllowed(gettext("You are not a member of %(business)s.") % {"business": partner})
    return member


def deliverer_require(*, actor: User, partner: Partner) -> PartnerMember:
    """A member of the partner whose background check is clear."""
    member = member_require(actor=actor, partner=partner)
    if not member.may_deliver:
        raise NotAllowed(
            gettext(
                "Your background check is not clear yet, so you cannot deliver packages. "
                "Ask the owner or ops about its status."
            )
        )
    return member


def applicant_require(*, actor: User, application: PartnerApplication) -> None:
    """The person who applied (PartnerApplication.owner), the only one who edits it."""
    if application.owner_id != actor.pk:
        raise NotAllowed(gettext("Only the applicant may change this application."))
