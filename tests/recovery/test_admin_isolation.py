"""Every admin URL, for two clinics (issue 11, item 1).

Clinic 1 holds rows of every model registered in the admin. Clinic 2's admin opens each
model's list, and each clinic-1 row's change, history and delete pages, and posts to delete
them: the list never links to them, the pages answer 403/404 or send them back to the list,
and nothing is deleted. Every registered model must be declared below as clinic-scoped,
deployment-wide (curricula and instruments, which hold no patient data) or operator-only; a
new model with no declaration fails the test, and a clinic-scoped model with no clinic-1 row
in the fixture fails too (the probe would prove nothing).
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from allauth.usersessions.models import UserSession
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import Client, RequestFactory  # noqa: F401
from django.urls import reverse

from programs.models import Attendance, Screening
from recovery import audit
from recovery.models import AuditEvent, WorkerHeartbeat
from recovery.notifications.models import ReminderLedger
from tests.clinicians.test_access import World
from tests.clinicians.test_views_use_access import _alert_for

pytestmark = pytest.mark.django_db

DEPLOYMENT_WIDE = {"programs.program", "programs.programversion", "outcomes.instrument",
                   "outcomes.instrumentversion"}
OPERATOR_ONLY = {"auth.group", "usersessions.usersession", "recovery.workerheartbeat"}
CLINIC_SCOPED = {
    "recovery.clinic", "recovery.user", "recovery.auditevent", "recovery.reminderledger",
    "account.emailaddress", "mfa.authenticator", "programs.enrolment", "programs.screening",
    "programs.cohort", "programs.cohortmembership", "programs.occurrence", "programs.attendance",
    "outcomes.questionnaireresponse", "outcomes.safetyalert",
}


def label(model) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def test_every_registered_model_is_declared():
    registered = {label(model) for model in admin.site._registry}
    undeclared = registered - DEPLOYMENT_WIDE - OPERATOR_ONLY - CLINIC_SCOPED
    assert not undeclared, f"admin models with no isolation declared: {sorted(undeclared)}"


@pytest.fixture
def world():
    with time_machine.travel(dt.datetime(2026, 3, 12, 15, 0, tzinfo=dt.UTC), tick=False):
        w = World()
        request = RequestFactory().get("/clinic/")
        request.user = w.responsible
        audit.record(request, "view_patient_review", patient=w.patient)
        Screening.objects.create(
            patient=w.patient, program=w.version.program, decided_by=w.responsible,
            decided_on=dt.date(2026, 3, 1), outcome="cleared", reason="Ready for the group",
        )
        Attendance.objects.create(occurrence=w.occurrences[0], patient=w.patient,
                                  status="present", recorded_by=w.facilitator)
        _alert_for(w.patient)
        ReminderLedger.objects.create(recipient=w.patient, kind="daily_practice", slot="2026-03-12",
                                      due_at=dt.datetime(2026, 3, 12, 13, 0, tzinfo=dt.UTC))
        Group.objects.create(name="Night shift")
        WorkerHeartbeat.objects.create(name="worker@host", last_seen=dt.datetime(2026, 3, 12, tzinfo=dt.UTC))
        UserSession.objects.create(user=w.patient, ip="198.51.100.7", session_key="k" * 32,
                                   user_agent="Phone")
        yield w


def clinic_rows(model, model_admin, clinic_id: int) -> set:
    """The model's rows of a clinic, found by the path to the clinic each scoped admin declares
    (`clinic_lookup`), not through the admin's own queryset, which is what is under test."""
    if model._meta.model_name == "clinic":
        return {clinic_id}
    lookup = getattr(model_admin, "clinic_lookup", None)
    assert lookup, f"{label(model)} is declared clinic-scoped but its admin names no clinic_lookup"
    return set(model.objects.filter(**{f"{lookup}_id": clinic_id}).values_list("pk", flat=True))


def test_another_clinics_admin_reaches_none_of_clinic_ones_rows(world):
    outsider = Client()
    outsider.force_login(world.foreign_admin)
    problems: list[str] = []
    for model, model_admin in admin.site._registry.items():
        name = label(model)
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        listing = outsider.get(changelist)
        if name in OPERATOR_ONLY:
            if listing.status_code != 403:
                problems.append(f"{name}: list answers {listing.status_code} to a clinic admin")
            continue
        if name in DEPLOYMENT_WIDE:
            if listing.status_code != 200:
                problems.append(f"{name}: deployment-wide list answers {listing.status_code}")
            continue
        theirs = clinic_rows(model, model_admin, world.admin.clinic_id)
        if not theirs:
            problems.append(f"{name}: the fixture holds no clinic-1 row to probe")
            continue
        html = listing.content.decode()
        count_before = model.objects.count()
        for pk in theirs:
            for view in ("change", "history", "delete"):
                url = reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[pk])
                if f'href="{url}"' in html:
                    problems.append(f"{name}: the list links to clinic 1's row {pk}")
                response = outsider.get(url)
                landed_on_list = (response.status_code == 302
                                  and response["Location"].split("?")[0] in (changelist, "/admin/"))
                if response.status_code not in (403, 404) and not landed_on_list:
                    problems.append(f"{name}: GET {url} answers {response.status_code}")
            delete = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[pk])
            outsider.post(delete, {"post": "yes"})
        search = outsider.get(changelist, {"q": world.patient.email})
        if world.patient.email in search.content.decode().replace(f"value=\"{world.patient.email}\"", ""):
            problems.append(f"{name}: searching finds clinic 1's patient")
        if model.objects.count() != count_before:
            problems.append(f"{name}: a clinic-2 admin's delete removed clinic 1's rows")
    assert not problems, "\n".join(problems)
    # Nothing of clinic 1's patients was read, so nothing about them was audited.
    assert not AuditEvent.objects.filter(actor=world.foreign_admin).exclude(patient=None).exists()
