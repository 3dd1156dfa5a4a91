"""The installable app's server side (recovery/pwa.py, issue 14 item 1): the manifest, the
worker at the root scope, the offline page, and who gets them."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import client_for
from tests.factories import AdminFactory
from tests.recovery.test_headers import check_response

STATIC = Path(__file__).resolve().parents[2] / "static"


@pytest.mark.django_db
def test_the_manifest_makes_today_installable(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert manifest["start_url"] == "/today/" and manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["name"] and manifest["short_name"]
    # The colours are app.css's header and page colours.
    css = (STATIC / "css" / "app.css").read_text()
    assert f"--accent: {manifest['theme_color']}" in css
    assert f"--bg: {manifest['background_color']}" in css
    sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert sizes == {("192x192", "any"), ("512x512", "any"), ("192x192", "maskable"),
                     ("512x512", "maskable")}
    for icon in manifest["icons"]:
        name = icon["src"].rsplit("/", 1)[-1]
        with Image.open(STATIC / "icons" / name) as image:
            assert f"{image.width}x{image.height}" == icon["sizes"]
            assert image.format == "PNG"
        assert client.get(icon["src"]).status_code == 200


@pytest.mark.django_db
def test_the_worker_is_served_from_the_root_scope(client, patient_client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    assert b"addEventListener(\"fetch\"" in response.content
    assert response.content == (STATIC / "sw.js").read_bytes()
    # Signed in, every response is no-store (stricter than no-cache: still re-checked).
    assert "no-store" in patient_client.get("/sw.js")["Cache-Control"]


def test_the_worker_never_keeps_staff_pages():
    source = (STATIC / "sw.js").read_text()
    keep = source.split("var KEEP_PAGES = [", 1)[1].split("]", 1)[0]
    assert keep.replace('"', "").split(", ") == ["/today/", "/today/flare/", "/journal/new/"]
    assert '"/clinic/", "/admin/", "/accounts/"' in source
    assert 'request.method !== "GET"' in source  # writes always go to the network


@pytest.mark.django_db
def test_the_csp_allows_this_sites_worker_and_manifest_only(patient_client):
    response = patient_client.get("/today/")
    csp = response["Content-Security-Policy"]
    assert "worker-src 'self'" in csp and "manifest-src 'self'" in csp
    assert not check_response("/today/", "patient", response)
    offline = patient_client.get("/offline/")
    assert offline.status_code == 200
    assert not check_response("/offline/", "patient", offline)


@pytest.mark.django_db
def test_patients_and_the_sign_in_page_get_the_app_staff_do_not(client, patient_client, clinician_client):
    sign_in = client.get("/accounts/login/").content.decode()
    assert 'rel="manifest" href="/manifest.webmanifest"' in sign_in
    assert "offline-queue.js" not in sign_in  # nothing to queue before signing in

    today = patient_client.get("/today/").content.decode()
    assert 'rel="manifest"' in today
    for script in ("offline-store.js", "offline-queue.js", "offline-app.js", "install-hint.js"):
        assert script in today
    assert 'id="pwa-status"' in today and 'id="install-hint"' in today
    assert "Keep my unsent items on this device when I sign out" in today
    assert 'data-offline="checkin"' in today and 'data-local-date="' in today

    for staff in (clinician_client, client_for(AdminFactory())):
        page = staff.get("/clinic/", follow=True).content.decode()
        assert 'rel="manifest"' not in page
        assert "offline-queue.js" not in page and "pwa-status" not in page


@pytest.mark.django_db
def test_the_offline_page_holds_no_ones_data(client):
    response = client.get("/offline/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "You are offline" in body and 'href="/today/"' in body
    assert not check_response("/offline/", "anonymous", response)
