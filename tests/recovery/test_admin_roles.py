"""Clinic admins are not superusers; the deployment's operator is (issue 11, item 1)."""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client

from recovery.models import User
from tests.factories import TEST_TOTP_SECRET, AdminFactory, PatientFactory

pytestmark = pytest.mark.django_db


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_clinic_admin_is_staff_but_not_a_superuser():
    admin_user = AdminFactory(email="clinic-admin@example.test")
    assert admin_user.is_staff and not admin_user.is_superuser
    assert admin_user.has_perm("programs.change_programversion")
    assert admin_user.has_perm("recovery.view_auditevent")
    assert not admin_user.has_perm("recovery.change_auditevent")
    assert not admin_user.has_perm("auth.change_group")
    assert not admin_user.has_perm("usersessions.view_usersession")


def test_a_clinic_admin_manages_curricula_but_not_the_deployment():
    client = signed_in(AdminFactory(email="clinic-admin@example.test"))
    index = client.get("/admin/").content.decode()
    assert "Programs" in index or "Program" in index
    assert client.get("/admin/programs/program/").status_code == 200
    assert client.get("/admin/programs/program/add/").status_code == 200
    for deployment_page in ("/admin/auth/group/", "/admin/recovery/workerheartbeat/",
                            "/admin/usersessions/usersession/"):
        assert client.get(deployment_page).status_code == 403, deployment_page


def test_a_clinic_admin_cannot_make_an_operator():
    admin_user = AdminFactory(email="clinic-admin@example.test")
    patient = PatientFactory(clinic=admin_user.clinic)
    page = signed_in(admin_user).get(f"/admin/recovery/user/{patient.pk}/change/")
    assert page.status_code == 200
    assert 'name="is_superuser"' not in page.content.decode()
    assert 'name="groups"' not in page.content.decode()


def test_createsuperuser_makes_the_operator(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a long operator passphrase here")
    call_command("createsuperuser", "--noinput", email="operator@example.test", verbosity=0)
    operator = User.objects.get(email="operator@example.test")
    assert operator.is_superuser and operator.is_admin
    client = signed_in(operator)
    # Like every staff account, the operator sets up a second factor first.
    assert client.get("/admin/auth/group/")["Location"] == "/accounts/2fa/totp/activate/"
    TOTP.activate(operator, TEST_TOTP_SECRET)
    assert client.get("/admin/auth/group/").status_code == 200
    Group.objects.create(name="x")
    # An operator demoted to clinician loses the superuser bit with the role.
    operator.role = User.Role.CLINICIAN
    operator.save()
    operator.refresh_from_db()
    assert not operator.is_superuser and not operator.is_staff


def test_a_deactivated_admin_has_no_permissions():
    admin_user = AdminFactory(email="gone-admin@example.test", is_active=False)
    assert not admin_user.has_perm("programs.change_program")
    assert not admin_user.has_module_perms("programs")
