"""Every page has an icon: no 404 on /favicon.ico, and base.html links the SVG."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders


def test_favicon_ico_redirects_to_the_shipped_svg(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].startswith("/static/favicon")
    assert response["Location"].endswith(".svg")
    path = finders.find("favicon.svg")
    assert path is not None
    with open(path, encoding="utf-8") as svg:
        assert svg.read().startswith("<svg")


@pytest.mark.django_db
def test_pages_link_the_icon(client):
    page = client.get("/accounts/login/").content.decode()
    assert '<link rel="icon" href="/static/favicon' in page
