"""Headers and cookies on every page, as every role (issue 11, item 5).

Walks each URL pattern that needs no argument, as an anonymous visitor, a patient, a clinician
and an admin, and checks: a Content-Security-Policy with no inline script or style and
frame-ancestors 'none', a Permissions-Policy, `Cache-Control: no-store` on every response to a
signed-in person, and no inline script, style element or style attribute in the HTML.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories import AdminFactory, ClinicianFactory, PatientFactory

pytestmark = pytest.mark.django_db

# Actions with side effects on GET, or streaming downloads that are not pages.
SKIP = ("/accounts/logout/", "/media/")
# A JSON data block (allauth's) is not executed: the CSP does not apply to it.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b(?![^>]*\bnonce=)|\sstyle=\"", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+=\"", re.I)
HX_ON = re.compile(r"\shx-on[:-]", re.I)


def plain_paths(resolver: URLResolver | None = None, prefix: str = "") -> Iterator[str]:
    for entry in (resolver or get_resolver()).url_patterns:
        pattern = str(entry.pattern)
        if "<" in pattern or "(?P" in pattern or "\\" in pattern:
            continue
        path = prefix + pattern.lstrip("^").rstrip("$")
        if isinstance(entry, URLResolver):
            yield from plain_paths(entry, path)
        elif isinstance(entry, URLPattern):
            yield "/" + path


def client_as(role: str) -> Client:
    client = Client()
    factory = {"patient": PatientFactory, "clinician": ClinicianFactory, "admin": AdminFactory}
    if role in factory:
        client.force_login(factory[role](email=f"{role}-walk@example.test"))
    return client


def check_response(path: str, role: str, response) -> list[str]:
    problems = []
    csp = response.get("Content-Security-Policy", "")
    if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
        if "frame-ancestors 'none'" not in csp:
            problems.append("no frame-ancestors 'none'")
        if "unsafe-inline" in csp or "unsafe-eval" in csp:
            problems.append(f"unsafe CSP: {csp}")
        html = response.content.decode()
        for name, rx in (("inline script", INLINE_SCRIPT), ("inline style", INLINE_STYLE),
                         ("inline handler", INLINE_HANDLER), ("hx-on", HX_ON)):
            if (m := rx.search(html)) is not None:
                problems.append(f"{name}: {html[max(0, m.start() - 60):m.end() + 60]!r}")
    if "Permissions-Policy" not in response:
        problems.append("no Permissions-Policy")
    if role != "anonymous" and "no-store" not in response.get("Cache-Control", ""):
        problems.append(f"Cache-Control {response.get('Cache-Control')!r}")
    return [f"{role} {path} ({response.status_code}): {p}" for p in problems]


@pytest.mark.parametrize("role", ["anonymous", "patient", "clinician", "admin"])
def test_every_page_carries_the_security_headers(role):
    client = client_as(role)
    problems: list[str] = []
    seen = 0
    for path in sorted(set(plain_paths())):
        if path.startswith(SKIP):
            continue
        response = client.get(path)
        if response.status_code in (404, 405, 500):
            continue  # DEBUG error pages are Django's, exempt from the CSP by django-csp
        seen += 1
        problems += check_response(path, role, response)
    assert seen > 10
    assert not problems, "\n".join(problems)


def test_chart_pages_and_admin_render_under_the_csp():
    patient_client = client_as("patient")
    response = patient_client.get("/history/")
    assert response.status_code == 200
    assert not check_response("/history/", "patient", response)
    admin_client = client_as("admin")
    for path in ("/admin/", "/admin/recovery/user/", "/admin/recovery/user/add/"):
        response = admin_client.get(path)
        assert response.status_code == 200, path
        assert not check_response(path, "admin", response)


def test_cookies_use_the_host_prefix_in_production(tmp_path):
    from tests.recovery.test_settings import run_python

    result = run_python(
        tmp_path,
        ["-c", "import django; django.setup(); from django.conf import settings as s; "
               "print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME)"],
        SECRET_KEY="k3Y-" + "x1Y2z3W4v5" * 6,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["__Host-sessionid", "__Host-csrftoken"]


def test_every_admin_list_renders_under_the_csp():
    # Each registered model's change list and add page: models registered later (and
    # Django's own list templates, which add an inline <style> to a list whose ModelAdmin
    # turns its actions bars off) must render under the CSP too.
    from django.contrib import admin
    from django.urls import reverse

    admin_client = client_as("admin")
    problems: list[str] = []
    for model in admin.site._registry:
        opts = model._meta
        for view in ("changelist", "add"):
            path = reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}")
            response = admin_client.get(path)
            assert response.status_code in (200, 302, 403), (path, response.status_code)
            problems += check_response(path, "admin", response)
    assert not problems, "\n".join(problems)
