"""The whole project's permission matrix (issue 11, item 2).

Every URL pattern of the project (the admin's are walked by tests/recovery/test_admin_isolation.py)
is requested by nine principals with GET and POST, its path filled with patient A's ids, and the
outcome compared with the expectation declared below. A pattern without a declared rule fails
`test_every_pattern_has_a_rule`: say who may use a new page before it ships.

Outcomes, by what a person would see:
  "ok"     the view answered them (2xx, a redirect that is not to sign-in, or a 4xx form answer)
  "login"  sent to sign in (302 to /accounts/login/)
  "denied" 404 (or 403): the page says nothing about whether the row exists
  "405"    the method is not accepted
Besides statuses, the IDOR probe checks that no answer to anyone but A, A's care team and A's
clinic admin carries A's words or name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
import time_machine
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from clinicians import invitations, joining, visits
from journaling.models import JournalEntry
from journaling.stressors import add_stressor
from recovery import export_jobs
from recovery.notifications import tokens
from tests.clinicians.test_access import World
from tests.clinicians.test_views_use_access import EXPECT as CLINICIAN_EXPECT
from tests.clinicians.test_views_use_access import _alert_for
from tests.factories import PatientFactory, enrol, published_version

pytestmark = pytest.mark.django_db

PRINCIPALS = (
    "anonymous", "patient_a", "patient_b", "clinician_a", "colleague", "foreign_clinician",
    "foreign_admin", "clinic_admin", "deactivated",
)
PATIENTS = {"patient_a", "patient_b"}
STAFF = {"clinician_a", "colleague", "foreign_clinician", "foreign_admin", "clinic_admin"}
SIGNED_OUT = {"anonymous", "deactivated"}  # a deactivated user's old session is dead
SECRET_WORDS = "Tuesday-lighthouse-7731"  # in A's shared entry, private entry and stressor


Rule = Callable[[str, str], frozenset[str]]  # (principal, method) -> acceptable outcomes


def one(*outcomes: str) -> frozenset[str]:
    return frozenset(outcomes)


def public(principal: str, method: str) -> frozenset[str]:
    return one("ok")


def signed_in(principal: str, method: str) -> frozenset[str]:
    return one("login") if principal in SIGNED_OUT else one("ok")


def patient_only(principal: str, method: str) -> frozenset[str]:
    """A patient's own pages: staff are not patients (404), patients see their own rows."""
    if principal in SIGNED_OUT:
        return one("login")
    return one("ok") if principal in PATIENTS else one("denied")


def own_row(principal: str, method: str) -> frozenset[str]:
    """A patient page about one of A's rows (an entry, an exercise of A's plan): only A."""
    if principal in SIGNED_OUT:
        return one("login")
    return one("ok") if principal == "patient_a" else one("denied")


def own_row_idempotent(principal: str, method: str) -> frozenset[str]:
    """Removing a stressor: a second click finds nothing and says so with a redirect, so
    patient B's POST with A's id is answered like A's double click (and changes nothing:
    test_idor_probes_find_none_of_a_s_rows checks A's line is still there)."""
    if principal == "patient_b" and method == "POST":
        return one("ok")
    return own_row(principal, method)


def own_account_factor(principal: str, method: str) -> frozenset[str]:
    """allauth's pages about one's own second factor: a 404 when the person has none (a
    patient without TOTP, anyone without recovery codes); there is no id to put in them."""
    return one("login") if principal in SIGNED_OUT else one("ok", "denied")


def sign_in_step(principal: str, method: str) -> frozenset[str]:
    """A step of a sign-in in progress (a code, the second factor): without one, back to
    the sign-in page."""
    return one("login") if principal in SIGNED_OUT else one("ok", "login")


def logout(principal: str, method: str) -> frozenset[str]:
    return one("login") if method == "POST" or principal in SIGNED_OUT else one("ok")


def email_key(principal: str, method: str) -> frozenset[str]:
    """A confirmation link with an unknown key: a page saying the link is dead (GET), 404 on
    POST: nobody learns whose it was."""
    return one("ok") if method == "GET" else one("denied")


def health(principal: str, method: str) -> frozenset[str]:
    return one("ok", "error 503")  # 503 while no worker has reported in (a test has none)


def staff_rule(who: str) -> Rule:
    """The clinicians namespace, as declared in tests/clinicians/test_views_use_access.py:
    "anyone" of the clinic's staff; "responsible" for A (A's clinician, the clinic's admin);
    "facilitator" of A's cohort (none of the principals but the clinic's admin); the waiting
    list ("join_accept") is the whole clinic's."""

    def rule(principal: str, method: str) -> frozenset[str]:
        if principal in SIGNED_OUT:
            return one("login")
        if principal in PATIENTS:
            return one("denied")
        allowed = {
            "anyone": STAFF,
            "clinic": {"clinician_a", "colleague", "clinic_admin"},
            "responsible": {"clinician_a", "clinic_admin"},
            "facilitator": {"clinic_admin"},
        }[who]
        return one("ok") if principal in allowed else one("denied")

    return rule


def methods(accepted: str, rule: Rule) -> Rule:
    """A view taking only `accepted` ("GET" or "POST"): the other method never reaches it
    (405, or the sign-in/404 answer the person would get anyway)."""

    def with_method(principal: str, method: str) -> frozenset[str]:
        answer = rule(principal, method)
        if method == accepted:
            return answer
        return (answer - {"ok"}) | one("405")

    with_method.accepted = accepted  # type: ignore[attr-defined]
    return with_method


def expected(rule: Rule, principal: str, method: str) -> frozenset[str]:
    """A page that is read with GET may refuse a POST (405) whoever sends it; a POST-only
    view (declared with `methods("POST", ...)`) must never answer a GET with its page."""
    answer = rule(principal, method)
    if method == "POST" and getattr(rule, "accepted", "GET") == "GET":
        return answer | one("405")
    return answer


# URL name -> rule. Staff pages come from the clinicians table; a name missing from both fails.
RULES: dict[str, Rule] = {
    "home": signed_in,
    "healthz": health,
    "favicon": public,
    "crisis": public,
    "set_language": public,  # the footer's language switcher (django.conf.urls.i18n)
    "session_keep_alive": methods("POST", signed_in),
    "account_home": signed_in,
    "notifications:list": signed_in,
    "notifications:bell": signed_in,
    "notifications:mark_all_read": methods("POST", signed_in),
    "notifications:unsubscribe": public,  # the emailed link works signed out (signed token)
    "invitation_accept": public,
    "waiting_for_clinic": signed_in,
    "media": methods("GET", signed_in),
    "account_logout": logout,
    "account_confirm_email": email_key,
    "account_confirm_login_code": sign_in_step,
    "mfa_authenticate": sign_in_step,
    # allauth: public forms, or the signed-in person's own account
    **{name: public for name in (
        "account_login", "account_inactive", "account_signup", "account_reset_password",
        "account_reset_password_done", "account_reset_password_from_key",
        "account_reset_password_from_key_done", "account_email_verification_sent",
    )},
    **{name: signed_in for name in (
        "account_reauthenticate", "account_email", "account_change_password",
        "account_set_password", "mfa_index", "mfa_reauthenticate", "mfa_activate_totp",
        "mfa_generate_recovery_codes", "usersessions_list",
    )},
    **{name: own_account_factor for name in (
        "mfa_deactivate_totp", "mfa_view_recovery_codes", "mfa_download_recovery_codes",
    )},
    # the patient's day, journal, history and data
    **{f"journaling:{name}": patient_only for name in (
        "today", "flare_support", "journal", "journal_new", "journal_stressors", "history",
        "my_data", "my_data_json", "my_data_pdf", "my_data_access", "my_data_delete",
    )},
    **{f"journaling:{name}": methods("POST", patient_only) for name in (
        "checkin", "journal_autosave", "journal_release", "journal_stressor_undo",
        "my_data_report_consent", "my_data_cancel_deletion",
    )},
    "journaling:journal_entry": own_row,
    "journaling:history_programme": own_row,  # one of A's programmes' charts (enrolment_id)
    "journaling:journal_edit": own_row,
    **{f"journaling:{name}": methods("POST", own_row) for name in (
        "journal_privacy", "complete_exercise", "undo_completion",
    )},
    "journaling:journal_stressor_remove": methods("POST", own_row_idempotent),
    "outcomes:answer": patient_only,
    # a file prepared by the worker (recovery.export_jobs): its owner only (here A's My data
    # PDF, still being prepared: the download page says so with a 409)
    "exports:job": methods("GET", own_row),
    "exports:download": methods("GET", own_row),
    # the installable app (recovery/pwa.py) and its offline replays (journaling/views/offline.py)
    **{name: public for name in ("service_worker", "manifest", "offline")},
    **{f"journaling:{name}": methods("POST", patient_only) for name in (
        "offline_checkin", "journal_offline_save",
    )},
    "journaling:offline_complete_exercise": methods("POST", own_row),
}


def all_patterns() -> dict[str, list[str]]:
    """URL name -> its argument names, for every named pattern outside the admin."""
    found: dict[str, list[str]] = {}

    def walk(patterns, namespace: list[str], args: list[str]) -> None:
        for p in patterns:
            here = args + list(p.pattern.converters) + list(p.pattern.regex.groupindex)
            if isinstance(p, URLResolver):
                if p.namespace == "admin":
                    continue
                walk(p.url_patterns, namespace + ([p.namespace] if p.namespace else []), here)
            elif isinstance(p, URLPattern) and p.name:
                found[":".join([*namespace, p.name])] = list(dict.fromkeys(here))

    walk(get_resolver().url_patterns, [], [])
    return found


def rule_for(name: str) -> Rule | None:
    if name in RULES:
        return RULES[name]
    short = name.split(":", 1)[1] if name.startswith("clinicians:") else None
    if short in CLINICIAN_EXPECT:
        method, who, _status, _audit = CLINICIAN_EXPECT[short]
        rule = staff_rule("clinic" if short == "join_accept" else who)
        return methods("POST", rule) if method == "POST" else rule
    return None


def test_every_pattern_has_a_rule():
    missing = sorted(name for name in all_patterns() if rule_for(name) is None)
    assert not missing, f"URL patterns with no declared expectation: {missing}"


# --- the world -------------------------------------------------------------------------------


@dataclass
class Matrix:
    world: World
    users: dict[str, object]
    values: dict[str, object]


@pytest.fixture
def matrix(tmp_path, settings) -> Iterator[Matrix]:
    with time_machine.travel(dt.datetime(2026, 3, 12, 15, 0, tzinfo=dt.UTC), tick=False):
        settings.MEDIA_ROOT = tmp_path
        w = World()
        deactivated = PatientFactory(email="gone@example.test")
        users = {
            "patient_a": w.patient, "patient_b": w.other_patient, "clinician_a": w.responsible,
            "colleague": w.colleague, "foreign_clinician": w.foreign_clinician,
            "foreign_admin": w.foreign_admin, "clinic_admin": w.admin, "deactivated": deactivated,
        }
        shared = JournalEntry.objects.create(
            patient=w.patient, local_date=dt.date(2026, 3, 12),
            body=f"Shared words {SECRET_WORDS}", visibility=JournalEntry.Visibility.CARE_TEAM,
            status=JournalEntry.Status.SAVED,
        )
        JournalEntry.objects.create(
            patient=w.patient, local_date=dt.date(2026, 3, 12), body=f"Private {SECRET_WORDS}",
            status=JournalEntry.Status.SAVED,
        )
        stressor, _ = add_stressor(w.patient, "current", f"Work deadline {SECRET_WORDS}")
        visit, _ = visits.schedule(
            w.patient, w.responsible, dt.datetime(2026, 3, 20, 14, 0, tzinfo=dt.UTC)
        )
        invitation, _ = invitations.invite(w.responsible, "new@example.test", send=False)
        join = joining.request_to_join(PatientFactory(email="alone@example.test"))
        (tmp_path / "exercises").mkdir()
        (tmp_path / "exercises" / "calm.wav").write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(40))
        # The group programme has no daily exercise: A's Done button is for one of its own.
        exercise = enrol(w.patient, w.responsible, published_version("daily")).version.exercises.get()
        job = export_jobs.start(w.patient, "my_data_pdf", {}, patient=w.patient)
        values = {
            "patient_id": w.patient.pk, "cohort_id": w.cohort.pk,
            "occurrence_id": w.occurrences[0].pk, "visit_id": visit.pk,
            "enrolment_id": w.enrolment.pk, "clinician_id": w.responsible.pk,
            "alert_id": _alert_for(w.patient).pk, "invitation_id": invitation.pk,
            "join_id": join.pk, "exercise_id": exercise.pk, "code": "PHQ-9",
            "path": "exercises/calm.wav", "token": "not-a-real-invitation-token",
            "journaling:journal_entry": shared.pk, "journaling:journal_edit": shared.pk,
            "journaling:journal_privacy": shared.pk,
            "journaling:journal_stressor_remove": stressor.pk,
            "notifications:unsubscribe": tokens.make(w.patient.pk, tokens.ALL),
            "key": "x" * 20, "uidb36": "1", "job_id": job.pk,
        }
        deactivated_client = Client()
        deactivated_client.force_login(deactivated)
        deactivated.is_active = False
        deactivated.save()
        yield Matrix(w, users | {"_deactivated_client": deactivated_client}, values)


def url_for(m: Matrix, name: str, args: list[str]) -> str:
    kwargs = {a: m.values.get(name, m.values.get(a)) if a == "pk" else m.values[a] for a in args}
    if name == "account_reset_password_from_key":
        return "/accounts/password/reset/key/1-set-password/"
    if name == "account_confirm_email":
        return "/accounts/confirm-email/" + "x" * 20 + "/"
    return reverse(name, kwargs=kwargs)


def post_data(m: Matrix, name: str) -> dict[str, object]:
    """The fields a POST needs to reach past its form to the row it names."""
    if name == "clinicians:cohort_attendance":
        return {"occurrence": m.values["occurrence_id"], "patient": m.world.patient.pk,
                "status": "present"}
    return {}


def client_as(m: Matrix, principal: str) -> Client:
    if principal == "deactivated":
        return m.users["_deactivated_client"]  # type: ignore[return-value]
    client = Client(raise_request_exception=False)
    if principal != "anonymous":
        client.force_login(m.users[principal])  # type: ignore[arg-type]
    return client


def outcome(response) -> str:
    status = response.status_code
    if status == 405:
        return "405"
    if status in (403, 404):
        return "denied"
    if status in (301, 302, 303) and "/accounts/login/" in response.get("Location", ""):
        return "login"
    if status == 401:
        return "login"  # htmx and keep-alive: the session has ended
    if status >= 500:
        return f"error {status}"
    return "ok"


# POSTs that would end the world for the cells after them (a principal's own sign-out ends
# only their fresh client's session, so it stays in).
DESTRUCTIVE = {"journaling:my_data_delete"}


def test_the_permission_matrix(matrix: Matrix):
    mismatches: list[str] = []
    leaks: list[str] = []
    cells = 0
    clients: dict[str, Client] = {}
    a_name = matrix.world.patient.display_name
    a_email = matrix.world.patient.email
    with time_machine.travel(dt.datetime(2026, 3, 12, 15, 0, tzinfo=dt.UTC), tick=False):
        for name, args in sorted(all_patterns().items()):
            rule = rule_for(name)
            assert rule is not None, name
            url = url_for(matrix, name, args)
            for method in ("GET", "POST"):
                if method == "POST" and name in DESTRUCTIVE:
                    continue
                for principal in PRINCIPALS:
                    if principal not in clients:
                        clients[principal] = client_as(matrix, principal)
                    # Signing out ends the session the client carries: the next cell signs in anew.
                    client = clients.pop(principal) if name == "account_logout" else clients[principal]
                    data = post_data(matrix, name)
                    response = client.get(url) if method == "GET" else client.post(url, data)
                    got, want = outcome(response), expected(rule, principal, method)
                    cells += 1
                    if got not in want:
                        mismatches.append(f"{method} {url} as {principal}: got {got} "
                                          f"({response.status_code}), expected {'/'.join(sorted(want))}")
                    if principal in ("patient_b", "colleague", "foreign_clinician",
                                     "foreign_admin", "anonymous", "deactivated"):
                        body = _text(response)
                        for marker in (SECRET_WORDS, a_email, a_name):
                            if marker and marker in body and name not in LEAK_EXEMPT:
                                leaks.append(f"{method} {url} as {principal} shows {marker!r}")
    assert cells > 1000
    assert not mismatches, f"{len(mismatches)} of {cells} cells differ:\n" + "\n".join(mismatches)
    assert not leaks, "\n".join(leaks)


# Pages where A's name may rightly appear to others: the colleague sees the clinic's waiting
# list and invitations are the inviting clinician's (neither is A).
LEAK_EXEMPT: set[str] = set()


def _text(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def test_idor_probes_find_none_of_a_s_rows(matrix: Matrix):
    """Patient B puts A's ids into every object URL, export and search: 404s, and B's exports
    and search answers hold only B's rows."""
    client = client_as(matrix, "patient_b")
    for name in ("journaling:journal_entry", "journaling:journal_edit",
                 "journaling:journal_privacy", "journaling:journal_stressor_remove"):
        url = reverse(name, kwargs={"pk": matrix.values[name]})
        assert client.get(url).status_code in (404, 405), url
        if name != "journaling:journal_stressor_remove":  # answered like a double click
            assert client.post(url, {"visibility": "private"}).status_code == 404, url
    entry = JournalEntry.objects.get(pk=matrix.values["journaling:journal_entry"])
    assert entry.visibility == JournalEntry.Visibility.CARE_TEAM
    assert matrix.world.patient.stressors.filter(pk=matrix.values["journaling:journal_stressor_remove"]).exists()
    for url in ("/journal/?q=lighthouse", "/journal/?q=Tuesday", "/my-data/export.json",
                "/history/", "/my-data/", "/journal/stressors/"):
        body = _text(client.get(url))
        for words in ("Shared words", "Private Tuesday", "Work deadline", SECRET_WORDS):
            assert words not in body, (url, words)
    # A's clinician's pages, with B's own clinician... B has none with access to A:
    colleague = client_as(matrix, "colleague")
    for url in (f"/clinic/patients/{matrix.world.patient.pk}/fhir/",
                f"/clinic/patients/{matrix.world.patient.pk}/journal/",
                f"/clinic/patients/{matrix.world.patient.pk}/report.pdf"):
        response = colleague.get(url)
        assert response.status_code == 404, url
    # The clinic's outcome export and caseload for another clinic's staff: none of A's rows.
    for principal in ("foreign_clinician", "foreign_admin"):
        other = client_as(matrix, principal)
        for url in ("/clinic/", "/clinic/outcomes/outcomes.csv", "/clinic/?q=pat"):
            body = _text(other.get(url))
            assert matrix.world.patient.email not in body, (principal, url)
            assert matrix.world.patient.display_name not in body, (principal, url)


def test_the_matrix_catches_a_page_that_forgets_its_rule(matrix: Matrix, monkeypatch):
    """The matrix is not vacuous: a journal entry view that skipped the access module would
    show A's entry to B, and the comparison names that cell."""
    from journaling.views import journal as journal_views

    monkeypatch.setattr(
        journal_views, "get_own_or_404",
        lambda qs, user, lookup="patient", **f: qs.model.objects.get(**f),
    )
    url = reverse("journaling:journal_entry", kwargs={"pk": matrix.values["journaling:journal_entry"]})
    response = client_as(matrix, "patient_b").get(url)
    assert outcome(response) not in own_row("patient_b", "GET")
    assert SECRET_WORDS in _text(response)

