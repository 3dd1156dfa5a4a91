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


@pytest.mark.django_db
def test_uploaded_media_needs_sign_in(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "calm.mp3").write_bytes(b"ID3 audio")
    assert Client().get("/media/calm.mp3").status_code == 302
    response = client_for(PatientFactory()).get("/media/calm.mp3")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"ID3 audio"
