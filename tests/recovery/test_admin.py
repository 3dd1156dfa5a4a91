"""The core's admin stays inside the admin's clinic: users, clinics, email addresses,
authenticators and audit events of another clinic can be neither listed nor opened, and an
authenticator's secret is never shown."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.test import RequestFactory
from django.urls import reverse

from recovery import audit
from recovery.models import AuditEvent, Clinic, User
from tests.conftest import client_for
from tests.factories import (
    TEST_TOTP_SECRET,
    AdminFactory,
    ClinicFactory,
    ClinicianFactory,
    PatientFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinic_one():
    return ClinicFactory(slug="one", name="Clinic One")


@pytest.fixture
def clinic_two():
    return ClinicFactory(slug="two", name="Clinic Two")


@pytest.fixture
def theirs(clinic_one):
    """Clinic one's people, their addresses, an authenticator and an audit event."""
    doc = ClinicianFactory(clinic=clinic_one, email="doc-one@example.test")
    patient = PatientFactory(clinic=clinic_one, email="pat-one@example.test")
    event = AuditEvent.objects.create(actor=doc, patient=patient, action="view_patient_one")
    return {"doc": doc, "patient": patient, "event": event,
            "authenticator": Authenticator.objects.get(user=doc)}


@pytest.fixture
def admin_two(clinic_two):
    return AdminFactory(clinic=clinic_two, email="admin-two@example.test")


@pytest.fixture
def mine(clinic_two, admin_two):
    doc = ClinicianFactory(clinic=clinic_two, email="doc-two@example.test")
    patient = PatientFactory(clinic=clinic_two, email="pat-two@example.test")
    event = AuditEvent.objects.create(actor=doc, patient=patient, action="view_patient_two")
    return {"doc": doc, "patient": patient, "event": event,
            "authenticator": Authenticator.objects.get(user=doc)}


@pytest.fixture
def client_two(admin_two):
    return client_for(admin_two)


def changelist(client, name: str) -> str:
    response = client.get(reverse(f"admin:{name}_changelist"))
    assert response.status_code == 200
    return response.content.decode()


def opens(client, name: str, pk: int) -> bool:
    return client.get(reverse(f"admin:{name}_change", args=[pk])).status_code == 200


def test_users_of_another_clinic_are_neither_listed_nor_opened(client_two, theirs, mine):
    body = changelist(client_two, "recovery_user")
    assert "pat-two@example.test" in body and "doc-two@example.test" in body
    assert "pat-one@example.test" not in body and "doc-one@example.test" not in body
    assert "Clinic One" not in body  # no clinic filter listing every clinic
    assert not opens(client_two, "recovery_user", theirs["patient"].pk)
    assert opens(client_two, "recovery_user", mine["patient"].pk)


def test_the_user_forms_offer_only_the_admins_clinic(client_two, clinic_one, clinic_two, mine):
    page = client_two.get(reverse("admin:recovery_user_add")).content.decode()
    assert "Clinic Two" in page and "Clinic One" not in page
    page = client_two.get(reverse("admin:recovery_user_change", args=[mine["doc"].pk])).content.decode()
    assert "Clinic One" not in page
    # A forged post cannot move anyone to another clinic.
    response = client_two.post(reverse("admin:recovery_user_add"), {
        "email": "new@example.test", "role": "patient", "clinic": clinic_one.pk,
        "password1": "a-long-Passphrase-9", "password2": "a-long-Passphrase-9",
        "_save": "Save",
    })
    assert response.status_code == 200  # the form comes back with an error
    assert not User.objects.filter(email="new@example.test").exists()


def test_an_admin_sees_and_edits_only_their_own_clinic(client_two, clinic_one, clinic_two):
    body = changelist(client_two, "recovery_clinic")
    assert "Clinic Two" in body and "Clinic One" not in body
    assert not opens(client_two, "recovery_clinic", clinic_one.pk)
    assert opens(client_two, "recovery_clinic", clinic_two.pk)
    assert client_two.get(reverse("admin:recovery_clinic_add")).status_code == 403


def test_email_addresses_of_another_clinic_are_neither_listed_nor_opened(client_two, theirs, mine):
    body = changelist(client_two, "account_emailaddress")
    assert "pat-two@example.test" in body and "pat-one@example.test" not in body
    theirs_pk = EmailAddress.objects.get(user=theirs["patient"]).pk
    mine_pk = EmailAddress.objects.get(user=mine["patient"]).pk
    assert not opens(client_two, "account_emailaddress", theirs_pk)
    assert opens(client_two, "account_emailaddress", mine_pk)


def test_authenticators_are_scoped_read_only_and_never_show_the_secret(client_two, theirs, mine):
    body = changelist(client_two, "mfa_authenticator")
    assert "doc-two@example.test" in body and "doc-one@example.test" not in body
    assert not opens(client_two, "mfa_authenticator", theirs["authenticator"].pk)
    page = client_two.get(
        reverse("admin:mfa_authenticator_change", args=[mine["authenticator"].pk])
    ).content.decode()
    assert "doc-two@example.test" in page
    secret = mine["authenticator"].data["secret"]
    assert secret not in page and TEST_TOTP_SECRET not in page and "secret" not in page.lower()
    assert 'name="data"' not in page and "_save" not in page  # nothing to edit
    assert client_two.get(reverse("admin:mfa_authenticator_add")).status_code == 403


def test_audit_events_of_another_clinic_are_neither_listed_nor_opened(client_two, theirs, mine):
    body = changelist(client_two, "recovery_auditevent")
    assert "view_patient_two" in body and "view_patient_one" not in body
    assert not opens(client_two, "recovery_auditevent", theirs["event"].pk)
    assert opens(client_two, "recovery_auditevent", mine["event"].pk)


def test_an_audit_event_keeps_its_clinic_after_the_people_are_gone(clinic_one, theirs):
    """The patient's clinic, else the actor's, is written on the row itself."""
    assert theirs["event"].clinic == clinic_one
    by_staff_only = AuditEvent.objects.create(actor=theirs["doc"], action="view_caseload")
    assert by_staff_only.clinic == clinic_one
    request = RequestFactory().get("/clinic/patients/")
    request.user = theirs["doc"]
    audit.record(request, "view_patient", patient=theirs["patient"])
    assert AuditEvent.objects.get(action="view_patient").clinic == clinic_one
    patient_id = theirs["patient"].pk
    theirs["patient"].delete()  # no cascade, no SET NULL: the row is not rewritten
    theirs["event"].refresh_from_db()
    assert theirs["event"].patient_id == patient_id and theirs["event"].clinic == clinic_one


def test_the_clinic_of_a_clinic_one_admin_is_unchanged_by_clinic_two(clinic_one, client_two):
    client_two.post(reverse("admin:recovery_clinic_change", args=[clinic_one.pk]), {
        "name": "Taken over", "slug": "one", "time_zone": "UTC",
    })
    assert Clinic.objects.get(pk=clinic_one.pk).name == "Clinic One"


@pytest.mark.parametrize("phone", ['<script>alert(1)</script>', "javascript:alert(1)",
                                   "call me", "555<b>"])
def test_the_clinic_phone_must_be_a_phone_number(phone):
    """It is printed in a tel: link on the flare and questionnaire pages (issue 11, XSS)."""
    from recovery.admin import ClinicAdminForm

    clinic = ClinicFactory(slug="phone")
    data = {"name": "Clinic", "slug": "phone", "time_zone": "UTC", "contact_phone": phone}
    form = ClinicAdminForm(data, instance=clinic)
    assert not form.is_valid()
    assert "Enter a phone number" in form.errors["contact_phone"][0]


@pytest.mark.parametrize("phone", ["+1 555 0100", "(030) 123-456", "+49 30 1234 5678 ext. 12",
                                   "555.0100 x 7", ""])
def test_a_real_phone_number_is_kept(phone):
    from recovery.admin import ClinicAdminForm

    clinic = ClinicFactory(slug="phone")
    data = {"name": "Clinic", "slug": "phone", "time_zone": "UTC", "contact_phone": phone}
    form = ClinicAdminForm(data, instance=clinic)
    assert form.is_valid(), form.errors
    assert form.save().contact_phone == phone
