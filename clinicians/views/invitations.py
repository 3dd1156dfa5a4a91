"""Bringing patients in: /clinic/invitations/ (list, new, re-send, revoke, the waiting list)
and the public pages /invite/<token>/ and /welcome/waiting/. The rules are
clinicians.invitations' and clinicians.joining'; who sees which invitation is clinicians.access'."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from clinicians import access, invitations, joining
from clinicians.intake_forms import AcceptForm, InvitationForm, colleagues
from recovery import audit
from recovery.decorators import clinician_required
from recovery.http import AuthedHttpRequest
from recovery.middleware import visitor_language
from recovery.models import User

UNUSABLE = {
    "expired": (
        gettext_lazy("This invitation has expired"),
        gettext_lazy("For your security, invitation links only work for a few days. Ask your clinic to "
        "send you a new one."),
    ),
    "accepted": (
        gettext_lazy("This invitation has already been used"),
        gettext_lazy("Your account exists: sign in with your email address and the password you chose."),
    ),
    "revoked": (
        gettext_lazy("This invitation is no longer valid"),
        gettext_lazy("Your clinic withdrew it, or sent you a newer link: use the newest email, or ask them."),
    ),
    "account_exists": (
        gettext_lazy("You already have an account"),
        gettext_lazy("Sign in with your email address. Forgot your password? Reset it from the sign-in page."),
    ),
    "unknown": (
        gettext_lazy("This invitation link does not work"),
        gettext_lazy("It may have been copied incompletely, or replaced by a newer one. Ask your clinic to "
        "send it again."),
    ),
}


@clinician_required
def invitation_list(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    rows = list(
        access.invitations_for(user)
        .select_related("invited_by__clinician_profile", "program", "cohort")
        .prefetch_related("care_team__clinician_profile")
    )
    waiting = list(joining.waiting_for(user))
    audit.record(request, "view_invitations", count=len(rows), waiting=[j.patient_id for j in waiting])
    return render(
        request,
        "clinicians/invitations/list.html",
        {
            "invitations": rows,
            "waiting": waiting,
            "clinicians": list(colleagues(user)) if user.is_admin else [],
            "now": timezone.now(),
        },
    )


@clinician_required
def invitation_new(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    # The inviting clinician becomes the primary: an admin is shown why they cannot invite.
    form = InvitationForm(request.POST or None, user=user) if user.is_clinician else None
    existing = None
    if form is not None and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        problem = invitations.email_problem(user.clinic_id, data["email"])
        if problem:
            form.add_error("email", problem[0])
            existing = problem[1]
        else:
            try:
                invitation, created = invitations.invite(
                    user, data["email"], extra_clinicians=data["care_team"],
                    program=data["program"], cohort=data["cohort"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if created:
                    messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
                else:
                    messages.info(
                        request,
                        _("An invitation to %(email)s is already pending; re-send it from this "
                              "list if they cannot find it.") % {"email": invitation.email},
                    )
                return redirect("clinicians:invitation_list")
    if existing is not None and not access.patients_for(user).filter(pk=existing.pk).exists():
        existing = None  # offer "enrol instead" only for a patient the clinician may open
    return render(
        request,
        "clinicians/invitations/new.html",
        {"form": form, "existing_patient": existing, "ttl_days": invitations.ttl().days},
    )


@clinician_required
@require_POST
def invitation_resend(request: AuthedHttpRequest, invitation_id: int) -> HttpResponse:
    invitation = access.get_invitation_for(request.user, invitation_id)
    try:
        invitations.resend(invitation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("A new link was sent to %(email)s; the previous one no longer works.") % {"email": invitation.email}
        )
    return redirect("clinicians:invitation_list")


@clinician_required
@require_POST
def invitation_revoke(request: AuthedHttpRequest, invitation_id: int) -> HttpResponse:
    invitation = access.get_invitation_for(request.user, invitation_id)
    try:
        changed = invitations.revoke(invitation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if changed:
            messages.success(request, _("The invitation to %(email)s was revoked.") % {"email": invitation.email})
        else:
            messages.info(request, _("The invitation to %(email)s was already revoked.") % {"email": invitation.email})
    return redirect("clinicians:invitation_list")


@clinician_required
@require_POST
def join_accept(request: AuthedHttpRequest, join_id: int) -> HttpResponse:
    """A clinician accepts a waiting person (becoming primary); an admin names the primary."""
    user = request.user
    join = joining.get_join_request_for(user, join_id)
    if join is None:
        raise Http404("No such person waiting")
    primary: User | None = user
    if user.is_admin:
        primary = colleagues(user).filter(pk=_int(request.POST.get("primary"))).first()
        if primary is None:
            messages.error(request, _("Choose the clinician who will be their primary clinician."))
            return redirect("clinicians:invitation_list")
    assert primary is not None
    try:
        accepted = joining.accept(join, user, primary)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("clinicians:invitation_list")
    name = join.patient.display_name
    if accepted:
        messages.success(request, _("%(name)s joined the clinic; %(primary)s is primary.") % {"name": name, "primary": primary.display_name})
    else:
        messages.info(request, _("%(name)s had already been accepted.") % {"name": name})
    return redirect("clinicians:invitation_list")


def _int(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        return 0


# --- public pages -----------------------------------------------------------------------------


@never_cache
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link: choose a password, name and time zone; then Today, enrolled."""
    invitation = invitations.find(token)
    if invitation is None:
        return _unusable(request, "unknown")
    status = invitation.status
    if status == "pending" and invitations.existing_account(invitation.email):
        status = "account_exists"
    if status != "pending":
        return _unusable(request, status)
    form = AcceptForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = invitations.accept(
                token, password=data["password1"], display_name=data["display_name"],
                time_zone=data["time_zone"],
            )
        except invitations.InvitationUnusable as exc:
            return _unusable(request, exc.status)
        # Reminders are written in the language the patient was reading in (account page).
        result.user.language = visitor_language(request)
        result.user.save(update_fields=["language"])
        login(request, result.user, backend="recovery.backends.UserBackend")
        messages.success(request, _("Welcome, %(name)s.") % {"name": result.user.display_name})
        return redirect("journaling:today")
    return render(
        request, "clinicians/invitations/accept.html", {"form": form, "invitation": invitation}
    )


def _unusable(request: HttpRequest, status: str) -> HttpResponse:
    title, text = UNUSABLE.get(status, UNUSABLE["unknown"])
    return render(
        request, "clinicians/invitations/unusable.html", {"title": title, "text": text}, status=410
    )


@login_required
def waiting(request: AuthedHttpRequest) -> HttpResponse:
    """Where someone who signed up alone lands until their clinic accepts them."""
    if not joining.is_waiting(request.user):
        return redirect("home")
    return render(request, "clinicians/invitations/waiting.html", {"clinic": request.user.clinic})
