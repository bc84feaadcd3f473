"""The partner's own pages: home, onboarding checklist, staff, closures, settings."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.tokens import default_token_generator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_POST

from accounts.decorators import partner_member_required
from accounts.models import User
from hubdelivery.exceptions import DomainError
from hubdelivery.lib.dates import local_date
from partners.access import owner_require
from partners.agreement import AGREEMENT_VERSION, agreement_language, agreement_template
from partners.forms.partners import ClosureForm, PartnerSettingsForm, StaffInviteForm, StaffJoinForm
from partners.models import PartnerMember, PartnerStatus
from partners.selectors import partners as selectors
from partners.services import closures, partners, staff
from partners.views.actions import run_action


def current_membership(request: HttpRequest) -> PartnerMember:
    return selectors.membership_current_or_404(user=request.user)


def owner_membership(request: HttpRequest) -> PartnerMember:
    """The owner's membership; staff get a 403 (NotAllowed: they may not manage it)."""
    membership = current_membership(request)
    owner_require(actor=request.user, partner=membership.partner)
    return membership


@partner_member_required
def partner_home(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    partner = membership.partner
    today = local_date(tz_name=partner.time_zone)
    context = {
        "membership": membership,
        "partner": partner,
        "is_owner": membership.is_owner,
        "members": selectors.partner_members(partner=partner),
        "checklist": partners.checklist_items(partner),
        "onboarding": partner.status == PartnerStatus.ONBOARDING,
        "closures": selectors.partner_closures_from(partner=partner, day=today),
    }
    return render(request, "partners/partner_home.html", context)


@partner_member_required
def partner_agreement(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    if request.method == "POST":
        owner_membership(request)
        # The page posts the language of the text it showed; the active one otherwise.
        language = agreement_language(request.POST.get("language") or get_language())
        run_action(
            request,
            lambda: partners.partner_agreement_accept(
                partner=membership.partner,
                actor=request.user,
                version=AGREEMENT_VERSION,
                language=language,
            ),
            gettext("Thank you: the program agreement is accepted."),
        )
        return redirect("partners:partner-home")
    language = agreement_language(get_language())
    context = {
        "partner": membership.partner,
        "is_owner": membership.is_owner,
        "version": AGREEMENT_VERSION,
        "agreement_language": language,
        "agreement_template": agreement_template(AGREEMENT_VERSION, language),
        "accepted": membership.partner.agreement_version == AGREEMENT_VERSION
        and membership.partner.agreement_accepted_at,
    }
    return render(request, "partners/partner_agreement.html", context)


@partner_member_required
def partner_training(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    if request.method == "POST":
        owner_membership(request)
        run_action(
            request,
            lambda: partners.partner_training_complete(
                partner=membership.partner, actor=request.user
            ),
            gettext("Training marked as completed."),
        )
        return redirect("partners:partner-home")
    context = {"partner": membership.partner, "is_owner": membership.is_owner}
    return render(request, "partners/partner_training.html", context)


@partner_member_required
def partner_staff(request: HttpRequest) -> HttpResponse:
    membership = owner_membership(request)
    form = StaffInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member = staff.staff_invite(
                partner=membership.partner,
                actor=request.user,
                **form.cleaned_data,
            )
        except DomainError as error:
            form.add_error("email", str(error))
        else:
            messages.success(
                request, gettext("Invitation sent to %(email)s.") % {"email": member.user.email}
            )
            return redirect("partners:partner-staff")
    context = {
        "partner": membership.partner,
        "members": selectors.partner_members(partner=membership.partner),
        "form": form,
    }
    return render(request, "partners/partner_staff.html", context)


@require_POST
@partner_member_required
def partner_staff_remove(request: HttpRequest, member_id: int) -> HttpResponse:
    membership = owner_membership(request)
    member = selectors.member_get_for_owner(owner_membership=membership, member_id=member_id)
    run_action(
        request,
        lambda: staff.staff_remove(member=member, actor=request.user),
        gettext("%(person)s no longer has access to %(business)s.")
        % {"person": member.user, "business": member.partner},
    )
    return redirect("partners:partner-staff")


@require_POST
@partner_member_required
def partner_background_consent(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    run_action(
        request,
        lambda: staff.background_consent_record(member=membership, actor=request.user),
        gettext("Consent recorded. Ops will enter the result of your check."),
    )
    return redirect("partners:partner-home")


@partner_member_required
def partner_closures(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    partner = membership.partner
    form = ClosureForm(request.POST or None)
    if request.method == "POST":
        owner_membership(request)
        if form.is_valid():
            try:
                closures.closure_declare(partner=partner, actor=request.user, **form.cleaned_data)
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request, gettext("Closure saved. No packages will come on those days.")
                )
                return redirect("partners:partner-closures")
    today = local_date(tz_name=partner.time_zone)
    context = {
        "partner": partner,
        "is_owner": membership.is_owner,
        "closures": selectors.partner_closures_from(partner=partner, day=today),
        "allowance": selectors.closure_allowance(partner=partner, year=today.year),
        "form": form,
    }
    return render(request, "partners/partner_closures.html", context)


@require_POST
@partner_member_required
def partner_closure_cancel(request: HttpRequest, closure_id: int) -> HttpResponse:
    membership = owner_membership(request)
    closure = selectors.closure_get_for_owner(owner_membership=membership, closure_id=closure_id)
    run_action(
        request,
        lambda: closures.closure_cancel(closure=closure, actor=request.user),
        gettext("Closure cancelled."),
    )
    return redirect("partners:partner-closures")


def settings_initial(partner) -> dict:
    fields = ["daily_capacity", "storage_capacity", "delivery_modes", "opening_days"]
    initial = {field: getattr(partner, field) for field in fields}
    return initial | {"opens_at": partner.opens_at, "closes_at": partner.closes_at}


@partner_member_required
def partner_settings(request: HttpRequest) -> HttpResponse:
    membership = owner_membership(request)
    partner = membership.partner
    form = PartnerSettingsForm(request.POST or None, initial=settings_initial(partner))
    if request.method == "POST" and form.is_valid():
        try:
            partners.partner_settings_update(
                partner=partner, actor=request.user, **form.cleaned_data
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, gettext("Settings saved."))
            return redirect("partners:partner-home")
    return render(request, "partners/partner_settings.html", {"partner": partner, "form": form})


def invited_user_or_none(uidb64: str, token: str) -> User | None:
    try:
        user = User.objects.get(pk=int(force_str(urlsafe_base64_decode(uidb64))))
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        return None
    return user if default_token_generator.check_token(user, token) else None


def staff_join(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The invited staff member sets a password; the link works once (the token covers it)."""
    user = invited_user_or_none(uidb64, token)
    if user is None:
        return render(request, "partners/staff_join_invalid.html", status=400)
    form = StaffJoinForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        staff.staff_invitation_accept(user=user, password=form.cleaned_data["password1"])
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, gettext("Welcome! Your account is ready."))
        return redirect("partners:partner-home")
    return render(request, "partners/staff_join.html", {"form": form, "invited": user})
