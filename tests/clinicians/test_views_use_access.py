"""Every view of the `clinicians` URL namespace goes through clinicians.access.

The table below declares each URL pattern's expectation. A pattern added without a row here
fails `test_every_pattern_is_declared`; for each one that takes a patient or cohort id, the
wrong people get a 404 (never a 403: ids leak nothing) and the right clinician gets the page,
with an audit row for reads of patient data."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from programs.models import Attendance, Occurrence
from recovery.models import AuditEvent
from tests.clinicians.test_access import World, frozen_clock  # noqa: F401  (fixture)
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


# name -> (method, who runs it: "responsible" / "facilitator" / "anyone", status for them,
#          the audit action their request writes or None)
EXPECT: dict[str, tuple[str, str, int, str | None]] = {
    "dashboard": ("GET", "anyone", 200, "view_caseload"),
    "patient_list": ("GET", "anyone", 200, "view_patient_list"),
    "patient_journal": ("GET", "responsible", 200, "view_shared_journal"),
    "cohort_list": ("GET", "anyone", 200, "view_cohort_list"),
    "cohort_new": ("GET", "anyone", 200, None),
    "cohort_detail": ("GET", "facilitator", 200, "view_cohort"),
    "cohort_attendance": ("POST", "facilitator", 302, "record_attendance"),
    "cohort_member_add": ("POST", "facilitator", 302, None),
    "cohort_screening": ("POST", "facilitator", 200, "view_cohort"),
    "cohort_occurrence_move": ("POST", "facilitator", 302, None),
    "cohort_occurrence_cancel": ("POST", "facilitator", 302, None),
    "outcomes": ("GET", "anyone", 200, "view_programme_outcomes"),
    "outcomes_csv": ("GET", "anyone", 200, "export_programme_outcomes"),
    "patient_fhir": ("GET", "responsible", 200, "export_fhir"),
}


def clinician_patterns() -> dict[str, list[str]]:
    """URL name -> the names of its arguments, for every pattern of the namespace."""
    _prefix, resolver = get_resolver().namespace_dict["clinicians"]
    found: dict[str, list[str]] = {}

    def walk(patterns, args: list[str]) -> None:
        for p in patterns:
            here = args + list(p.pattern.converters)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, here)
            elif isinstance(p, URLPattern) and p.name:
                found[p.name] = here

    walk(resolver.url_patterns, [])
    return found


def test_every_pattern_is_declared():
    assert set(clinician_patterns()) == set(EXPECT), (
        "A clinicians URL pattern without a row in EXPECT: declare how it is reached "
        "through clinicians.access, and who may use it."
    )


def _request(w: World, name: str, args: list[str]):
    values = {
        "patient_id": w.patient.pk,
        "cohort_id": w.cohort.pk,
        "occurrence_id": w.occurrences[0].pk,
    }
    url = reverse(f"clinicians:{name}", kwargs={a: values[a] for a in args})
    method = EXPECT[name][0]
    data = {
        "cohort_attendance": {
            "occurrence": w.occurrences[0].pk, "patient": w.patient.pk, "status": "present",
        },
        "cohort_occurrence_move": {"date": "2026-03-03", "time": "10:00", "location": "Hall"},
        "cohort_occurrence_cancel": {"action": "cancel"},
    }.get(name, {})
    return method, url, data


def _send(user, method: str, url: str, data: dict):
    client = client_for(user)
    return client.get(url) if method == "GET" else client.post(url, data)


@pytest.mark.parametrize("name", sorted(EXPECT))
def test_pattern_is_guarded_by_the_access_module(name):
    w = World()
    args = clinician_patterns()[name]
    method, url, data = _request(w, name, args)
    _method, who, status, action = EXPECT[name]
    before = Occurrence.objects.get(pk=w.occurrences[0].pk)

    # A patient never reaches a clinician page.
    for patient in (w.patient, w.other_patient):
        assert _send(patient, method, url, data).status_code == 404, patient.email
    if "patient_id" in args or "cohort_id" in args:
        # Same clinic but not on the care team / not running the cohort; another clinic's
        # staff: a 404, nothing changed, no patient data read.
        for outsider in (w.colleague, w.foreign_clinician, w.foreign_admin):
            assert _send(outsider, method, url, data).status_code == 404, outsider.email
        assert not AuditEvent.objects.exclude(patient=None).exists()
        assert not Attendance.objects.exists()
        after = Occurrence.objects.get(pk=w.occurrences[0].pk)
        assert (after.starts_at, after.cancelled) == (before.starts_at, before.cancelled)

    right = {"responsible": w.responsible, "facilitator": w.facilitator}.get(who, w.responsible)
    for allowed in (right, w.admin):  # the clinic's admin reaches everything of their clinic
        response = _send(allowed, method, url, data)
        assert response.status_code == status, response.content.decode()[:500]
        if action:
            assert AuditEvent.objects.filter(actor=allowed, action=action).exists()
