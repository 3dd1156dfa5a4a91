"""The audit trail: append-only in the application and (on PostgreSQL) in the database, the
actor kept as a copy that outlives their account, the request id carried from the request to
the row, and admin change pages of patient data audited."""

from __future__ import annotations

import uuid

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory
from django.urls import reverse

from recovery import audit
from recovery.middleware import request_id_from
from recovery.models import AuditEvent, AuditTrailIsAppendOnly, User
from tests.conftest import client_for, service_unavailable
from tests.factories import AdminFactory, ClinicianFactory, PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    doc = ClinicianFactory(email="doc@example.test")
    doc.clinician_profile.display_name = "Dr Rivera"
    doc.clinician_profile.save()
    patient = PatientFactory(email="pat@example.test")
    return doc, patient


def an_event(actor, patient, action="view_patient"):
    request = RequestFactory().get("/clinic/patients/1/")
    request.user = actor
    audit.record(request, action, patient=patient)
    return AuditEvent.objects.get(action=action)


# --- append-only in the application -------------------------------------------------------


def test_an_event_cannot_be_changed_or_deleted_through_the_application(people):
    event = an_event(*people)
    event.action = "nothing_happened"
    with pytest.raises(AuditTrailIsAppendOnly):
        event.save()
    with pytest.raises(AuditTrailIsAppendOnly):
        event.delete()
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(action="nothing_happened")
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEvent.objects.all().delete()
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEvent.objects.bulk_update([event], ["action"])
    assert AuditEvent.objects.get(pk=event.pk).action == "view_patient"


def test_the_admin_offers_no_change_or_delete(people):
    event = an_event(*people)
    admin = AdminFactory()
    client = client_for(admin)
    url = reverse("admin:recovery_auditevent_change", args=[event.pk])
    page = client.get(url).content.decode()
    assert "_save" not in page and "deletelink" not in page
    assert client.post(url, {"action": "nothing"}).status_code == 403
    delete = reverse("admin:recovery_auditevent_delete", args=[event.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    changelist = reverse("admin:recovery_auditevent_changelist")
    client.post(changelist, {"action": "delete_selected", "_selected_action": [event.pk]})
    assert AuditEvent.objects.filter(pk=event.pk, action="view_patient").exists()


# --- the actor's copy ---------------------------------------------------------------------


def test_the_actor_is_copied_and_survives_their_account(people):
    doc, patient = people
    event = an_event(doc, patient)
    assert (event.actor_email, event.actor_name, event.actor_role) == (
        "doc@example.test", "Dr Rivera", "clinician",
    )
    doc_id = doc.pk
    doc.delete()  # rewrites no audit row (on PostgreSQL the trigger would refuse it)
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.actor_id == doc_id
    assert (event.actor_email, event.actor_name) == ("doc@example.test", "Dr Rivera")
    assert not User.objects.filter(pk=doc_id).exists()
    # The admin still lists and opens it, from the copy.
    client = client_for(AdminFactory())
    body = client.get(reverse("admin:recovery_auditevent_changelist")).content.decode()
    assert "doc@example.test" in body
    assert client.get(reverse("admin:recovery_auditevent_change", args=[event.pk])).status_code == 200


def test_deleting_a_patient_leaves_the_rows_about_them(people):
    doc, patient = people
    event = an_event(doc, patient)
    patient_id = patient.pk
    patient.delete()
    assert AuditEvent.objects.get(pk=event.pk).patient_id == patient_id


# --- request ids --------------------------------------------------------------------------


def test_request_id_sane_header_kept_odd_one_replaced():
    assert request_id_from("abc-123_x.y:z") == "abc-123_x.y:z"
    for odd in (None, "", "a" * 65, "two words", "x\nInjected: 1", "-leading", "é"):
        replaced = request_id_from(odd)
        assert uuid.UUID(replaced).version == 4, odd


def test_every_response_carries_a_request_id(client):
    response = client.get("/healthz")
    assert uuid.UUID(response["X-Request-ID"]).version == 4
    response = client.get("/healthz", HTTP_X_REQUEST_ID="proxy-42")
    assert response["X-Request-ID"] == "proxy-42"
    response = client.get("/healthz", HTTP_X_REQUEST_ID="bad id; drop")
    assert response["X-Request-ID"] != "bad id; drop"


def test_the_request_id_is_written_on_the_event(people):
    doc, patient = people
    from programs.models import Enrolment
    from tests.factories import published_version

    Enrolment.objects.create(
        patient=patient, clinician=doc, version=published_version(), start_date="2026-01-05"
    )
    client = client_for(doc)
    url = reverse("clinicians:patient_journal", args=[patient.pk])
    response = client.get(url, HTTP_X_REQUEST_ID="req-from-proxy-1", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="view_shared_journal")
    assert (event.request_id, event.ip, event.patient_id) == ("req-from-proxy-1", "10.1.2.3", patient.pk)
    client.get(url)
    second = AuditEvent.objects.filter(action="view_shared_journal").exclude(pk=event.pk).get()
    assert second.request_id and second.request_id != event.request_id


# --- admin change views of patient data ---------------------------------------------------


def test_admin_change_pages_about_a_patient_are_audited(people):
    doc, patient = people
    admin = AdminFactory(email="boss@example.test")
    client = client_for(admin)
    from allauth.account.models import EmailAddress

    address = EmailAddress.objects.get(user=patient)
    for name, pk, action in (
        ("recovery_user", patient.pk, "admin_view_user"),
        ("account_emailaddress", address.pk, "admin_view_emailaddress"),
    ):
        assert client.get(reverse(f"admin:{name}_change", args=[pk])).status_code == 200
        event = AuditEvent.objects.get(action=action)
        assert (event.actor_id, event.patient_id, event.actor_role) == (admin.pk, patient.pk, "admin")
    # Staff accounts are not patient data: not audited.
    client.get(reverse("admin:recovery_user_change", args=[doc.pk]))
    assert AuditEvent.objects.filter(action="admin_view_user").count() == 1


def test_the_admin_trail_filters_by_action_actor_and_searches_patients(people):
    doc, patient = people
    other = PatientFactory(email="someone-else@example.test")
    an_event(doc, patient, "view_patient")
    an_event(doc, other, "view_report")
    client = client_for(AdminFactory(email="boss@example.test"))
    url = reverse("admin:recovery_auditevent_changelist")
    by_action = client.get(url, {"action__exact": "view_report"}).content.decode()
    assert "someone-else@example.test" in by_action and "pat@example.test" not in by_action
    by_actor = client.get(url, {"actor": str(doc.pk)}).content.decode()
    assert "pat@example.test" in by_actor and "someone-else@example.test" in by_actor
    searched = client.get(url, {"q": "someone-else"}).content.decode()
    assert "someone-else@example.test" in searched and "pat@example.test" not in searched


# --- PostgreSQL: the trigger --------------------------------------------------------------


@pytest.mark.services
def test_postgresql_refuses_update_and_delete_of_audit_rows(people):
    if connection.vendor != "postgresql":
        service_unavailable("the trigger exists on PostgreSQL only; DATABASE_URL is not one")
    event = an_event(*people)
    table = AuditEvent._meta.db_table
    for sql in (
        f"UPDATE {table} SET action = 'rewritten' WHERE id = %s",
        f"DELETE FROM {table} WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "view_patient"
