"""My data: download everything (JSON, PDF), consent to shared entries in printed reports,
see who on the staff opened the record, and delete the account after a grace period.

Only the patient themself reaches these pages; anyone else gets 404 (patient_required).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from journaling import export
from recovery import audit, deletion, export_jobs
from recovery.access import own
from recovery.decorators import patient_required
from recovery.http import AuthedHttpRequest
from recovery.models import AuditEvent, ExportJob, PatientProfile, User

ACCESS_PAGE_SIZE = 25


def _latest_pdf_job(user: User) -> ExportJob | None:
    """The PDF being prepared, or the last one still downloadable: shown on My data."""
    job = own(ExportJob.objects.filter(kind=export.PDF_JOB), user, "owner").first()
    if job is None or job.status == ExportJob.Status.EXPIRED or job.expired(timezone.now()):
        return None
    return job


@patient_required
def index(request: AuthedHttpRequest) -> HttpResponse:
    # The pending deletion date comes from the core's context processor (account_deletion_due).
    job = _latest_pdf_job(request.user)
    return render(
        request,
        "journaling/mydata/index.html",
        {
            "profile": request.user.patient_profile,
            "job": job,
            "kind": export_jobs.get(export.PDF_JOB),
            "back_url": reverse("journaling:my_data"),
            "expired": False,
        },
    )


@patient_required
@require_POST
def report_consent(request: AuthedHttpRequest) -> HttpResponse:
    """Turn on or off "include my shared entries in printed reports". The form always posts
    `include` ("1" when checked, from a hidden "0" otherwise), so sending it twice is harmless."""
    include = "1" in request.POST.getlist("include")
    PatientProfile.objects.filter(user=request.user).update(
        include_shared_entries_in_reports=include
    )
    if include:
        messages.success(
            request, _("Your care team may now include the entries you share in printed reports.")
        )
    else:
        messages.success(request, _("Printed reports will no longer include your shared entries."))
    return redirect("journaling:my_data")


@patient_required
@never_cache
def record_access(request: AuthedHttpRequest) -> HttpResponse:
    """Who on the staff opened this patient's record, and when: their own rows only, newest
    first. Names and roles come from the copy kept on each event, as they were at the time."""
    events = (
        AuditEvent.objects.filter(patient=request.user)
        .exclude(actor_id=None)
        .exclude(actor_id=request.user.pk)
        .order_by("-at", "-pk")
        .only("at", "actor_name", "actor_email", "actor_role", "action")
    )
    page = Paginator(events, ACCESS_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "at": event.at,
            "who": event.actor_name or event.actor_email,
            "role": event.get_actor_role_display() or "Staff",
            "what": audit.describe(event.action),
        }
        for event in page
    ]
    return render(
        request,
        "journaling/mydata/access.html",
        {"page": page, "rows": rows, "time_zone": request.user.time_zone},
    )


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Health data: never kept by a shared cache or the browser's back-forward cache.
    response["Cache-Control"] = "no-store, private"
    return response


@patient_required
@never_cache
def export_json(request: AuthedHttpRequest) -> HttpResponse:
    content = export.export_json(request.user, timezone.now())
    name = f"my-data-{request.user.local_today():%Y-%m-%d}.json"
    return _download(content, "application/json; charset=utf-8", name)


@patient_required
@never_cache
def export_pdf(request: AuthedHttpRequest) -> HttpResponse:
    """POST "Prepare the PDF": the worker builds it (a year of data took ~29 s in a request);
    this answers at once with the job's page. A second click while it is being prepared gets
    the same job. GET (an old bookmark) leads to My data, where the button is."""
    if request.method != "POST":
        return redirect(reverse("journaling:my_data") + "#download-heading")
    job = export_jobs.start(request.user, export.PDF_JOB, {}, patient=request.user)
    return redirect("exports:job", job.pk)


class DeleteAccountForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Type your email address"),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    password = forms.CharField(
        label=gettext_lazy("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, user: User, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.user = user

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if email.lower() != self.user.email.lower():
            raise forms.ValidationError(_("This is not the email address of your account."))
        return email

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That password is not right."))
        return password

    def mark_errors(self) -> None:
        # Screen readers announce the message with the field it belongs to.
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs.update(
                    {"aria-invalid": "true", "aria-describedby": f"id_{name}-error"}
                )


@patient_required
def delete_account(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    if deletion.deletion_due(user.patient_profile) is not None:
        # Already asked: the page offers to cancel instead.
        return redirect("journaling:my_data")
    form = DeleteAccountForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        deletion.request_deletion(user, timezone.now())
        due = deletion.local_due_date(user.patient_profile)
        assert due is not None
        logout(request)
        messages.warning(
            request,
            _("Your account will be deleted on %(date)s. Until then you can sign in "
                  "again and cancel the deletion.") % {"date": deletion.long_date(due)},
        )
        return redirect("account_login")
    form.mark_errors()
    return render(
        request,
        "journaling/mydata/delete.html",
        {"form": form, "grace_days": deletion.GRACE_PERIOD.days},
    )


@patient_required
@require_POST
def cancel_deletion(request: AuthedHttpRequest) -> HttpResponse:
    if deletion.cancel_deletion(request.user):
        messages.success(request, _("Deletion cancelled. Your account and everything in it stay."))
    return redirect("journaling:my_data")
