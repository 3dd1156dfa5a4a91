import pytest
from django.test import Client

from tests.conftest import client_for
from tests.factories import AdminFactory, ClinicianFactory, PatientFactory


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("factory", "target"),
    [(PatientFactory, "/today/"), (ClinicianFactory, "/clinic/"), (AdminFactory, "/admin/")],
)
def test_home_sends_each_role_to_its_place(factory, target):
    response = client_for(factory()).get("/")
    assert response.status_code == 302
    assert response["Location"] == target


@pytest.mark.django_db
def test_anonymous_home_asks_to_sign_in():
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
