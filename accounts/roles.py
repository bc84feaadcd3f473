"""Roles are Django groups. The names here are the group names."""

from django.db import models


class Role(models.TextChoices):
    APPLICANT = "applicant", "Applicant"  # owner before approval
    PARTNER_OWNER = "partner_owner", "Partner owner"  # runs an approved partner business
    PARTNER_STAFF = "partner_staff", "Partner staff"  # delivers for a partner, added by the owner
    OPS_REVIEWER = "ops_reviewer", "Ops reviewer"  # reviews applications, watches operations
    OPS_ADMIN = "ops_admin", "Ops admin"  # markets, target states, capacity settings, admin site
    DSP_DRIVER = "dsp_driver", "DSP driver"  # hands packages over at the partner
    DSP_MANAGER = "dsp_manager", "DSP manager"  # one DSP's API keys and drivers (DspManager)


OPS_ROLES = frozenset({Role.OPS_REVIEWER, Role.OPS_ADMIN})
PARTNER_ROLES = frozenset({Role.PARTNER_OWNER, Role.PARTNER_STAFF})

# Where each role lands after log-in, highest role first: a user holding several roles
# lands on the page of the most capable one.
HOME_URL_BY_ROLE: list[tuple[Role, str]] = [
    (Role.OPS_ADMIN, "partners:ops-home"),
    (Role.OPS_REVIEWER, "partners:ops-home"),
    (Role.PARTNER_OWNER, "partners:partner-home"),
    (Role.PARTNER_STAFF, "partners:partner-home"),
    (Role.DSP_MANAGER, "packages:dsp-home"),
    (Role.DSP_DRIVER, "packages:driver-home"),
    (Role.APPLICANT, "partners:applicant-home"),
]
