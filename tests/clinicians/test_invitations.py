"""An invitation's life (issue 9, item 1): sent by email, accepted once through a link that
expires, can be re-sent (killing the old link) or revoked; accepting makes the patient, their
care team and their enrolment, and two simultaneous accepts make one account."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import Client

from clinicians import invitations
from clinicians.models import CareTeamMember, Invitation
from programs.models import Enrolment
from recovery.models import User
from tests.factories import ClinicFactory, ClinicianFactory, PatientFactory, published_version
from tests.programs.test_cohorts import make_cohort, make_version, ny_clinic
from tests.recovery.conftest import celery_eager, link_in  # noqa: F401  (fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_eager")]

NEW = "invited@example.test"
PASSWORD = "Slowly-getting-better-9"
START = dt.datetime(2026, 3, 12, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def send_now(django_capture_on_commit_callbacks):
    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


def invite(send_now, by, **kw):
    invitation, created = send_now(invitations.invite, by, kw.pop("email", NEW), **kw)
    [message] = [m for m in mail.outbox if invitation.email in m.to][-1:]
    return invitation, link_in(message, "/invite/")


def accept_form(**kw):
    return {"display_name": "Robin Invited", "time_zone": "Europe/Berlin",
            "password1": PASSWORD, "password2": PASSWORD, **kw}


def test_accepting_creates_the_patient_care_team_and_enrolment(clock, send_now, clinician):
    version = published_version()
    colleague = ClinicianFactory(email="facilitator@example.test")
    invitation, path = invite(send_now, clinician, program=version.program,
                              extra_clinicians=[colleague])
    message = mail.outbox[-1]
    assert message.alternatives and "/invite/" in message.alternatives[0][0]  # HTML too
    assert path.split("/")[2] not in invitation.token_hash  # only a hash is stored

    client = Client()
    page = client.get(path)
    assert page.status_code == 200 and "data-browser-time-zone" in page.content.decode()
    response = client.post(path, accept_form(), follow=True)
    assert response.redirect_chain[-1][0] == "/today/"

    user = User.objects.get(email=NEW)
    assert response.wsgi_request.user == user
    assert (user.display_name, user.time_zone) == ("Robin Invited", "Europe/Berlin")
    assert user.check_password(PASSWORD)
    team = dict(CareTeamMember.objects.filter(patient=user).values_list("clinician", "role"))
    assert team == {clinician.pk: "primary", colleague.pk: "other"}
    enrolment = Enrolment.objects.get(patient=user)
    assert (enrolment.version, enrolment.clinician, enrolment.status) == (
        version, clinician, "active"
    )
    assert enrolment.start_date == user.local_today()
    invitation.refresh_from_db()
    assert invitation.status == "accepted" and invitation.accepted_user == user


def test_a_used_link_shows_a_clear_page_and_makes_no_second_account(clock, send_now, clinician):
    _inv, path = invite(send_now, clinician)
    Client().post(path, accept_form())
    again = Client().post(path, accept_form(display_name="Someone else"))
    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    assert User.objects.filter(email=NEW).count() == 1
    assert Client().get(path).status_code == 410


def test_expired_link(clock, send_now, clinician, settings):
    settings.INVITATION_TTL_DAYS = 3
    invitation, path = invite(send_now, clinician)
    clock.shift(dt.timedelta(days=3, seconds=-1))
    assert Client().get(path).status_code == 200
    clock.shift(dt.timedelta(seconds=2))
    assert invitation.status == "expired"
    response = Client().post(path, accept_form())
    assert response.status_code == 410 and "expired" in response.content.decode()
    assert not User.objects.filter(email=NEW).exists()


def test_revoked_link(clock, send_now, clinician):
    invitation, path = invite(send_now, clinician)
    assert invitations.revoke(invitation) is True
    assert invitations.revoke(invitation) is False  # a repeated request changes nothing
    response = Client().post(path, accept_form())
    assert response.status_code == 410 and "no longer valid" in response.content.decode()
    assert not User.objects.filter(email=NEW).exists()


def test_resend_kills_the_old_link_and_restarts_the_clock(clock, send_now, clinician):
    invitation, old_path = invite(send_now, clinician)
    clock.shift(dt.timedelta(days=6))
    send_now(invitations.resend, invitation)
    new_path = link_in(mail.outbox[-1], "/invite/")
    assert new_path != old_path
    assert Client().get(old_path).status_code == 410
    clock.shift(dt.timedelta(days=6))  # 12 days after the first email, 6 after the second
    assert Client().post(new_path, accept_form()).status_code == 302
    assert User.objects.filter(email=NEW).count() == 1


def test_made_up_tokens_never_500(clock, client):
    for token in ("x", "a" * 99, "a.b~c", "%00"):
        assert client.get(f"/invite/{token}/").status_code == 410


def test_double_send_makes_one_invitation(clock, send_now, clinician):
    first, created = send_now(invitations.invite, clinician, NEW)
    second, again = send_now(invitations.invite, clinician, NEW.upper())
    assert (first, created, again) == (second, True, False)
    assert len(mail.outbox) == 1


def test_an_existing_account_is_refused_or_offered_enrolment(clock, clinician):
    PatientFactory(email="known@example.test")
    foreign = PatientFactory(email="elsewhere@example.test", clinic=ClinicFactory())
    problem = invitations.email_problem(clinician.clinic_id, "KNOWN@example.test")
    assert problem is not None and "Enrol them" in problem[0] and problem[1] is not None
    problem = invitations.email_problem(clinician.clinic_id, foreign.email)
    assert problem is not None and problem[1] is None
    with pytest.raises(invitations.ValidationError):
        invitations.invite(clinician, foreign.email)


def test_the_screening_gate_keeps_them_out_of_the_cohort_but_enrolled(clock, send_now, clinician):
    ny_clinic()
    version = make_version(weeks=3)
    version.program.requires_screening = True
    version.program.save()
    cohort = make_cohort(version, clinician, start=dt.date(2026, 3, 12))
    invitation, path = invite(send_now, clinician, cohort=cohort)
    Client().post(path, accept_form(time_zone="America/New_York"))
    user = User.objects.get(email=NEW)
    enrolment = Enrolment.objects.get(patient=user)
    assert not enrolment.memberships.exists()
    invitation.refresh_from_db()
    assert "not been screened" in invitation.outcome_note
    page = Client()
    page.force_login(clinician)
    assert "not been screened" in page.get("/clinic/invitations/").content.decode()


def test_parallel_accepts_make_one_account(clock, send_now, clinician, transactional_db):
    invitation, path = invite(send_now, clinician)
    token = path.split("/")[2]
    barrier = threading.Barrier(2)
    results: list[object] = []

    def run() -> None:
        barrier.wait()
        try:
            results.append(invitations.accept(
                token, password=PASSWORD, display_name="Racer", time_zone="UTC"
            ).user)
        except Exception as exc:  # the loser: InvitationUnusable, or SQLite's table lock
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert User.objects.filter(email=NEW).count() == 1
    assert sum(isinstance(r, User) for r in results) == 1
    assert Invitation.objects.get(pk=invitation.pk).accepted_user is not None


def test_claiming_is_the_race_guard(clock, send_now, clinician):
    """Whatever the database, the conditional UPDATE lets one accept through."""
    invitation, _path = invite(send_now, clinician)
    now = START
    assert invitations._claim(invitation, now) is True
    assert invitations._claim(invitation, now) is False


def test_demo_has_one_pending_invitation_for_the_demo_clinician(clock):
    from clinicians import demo_intake
    from recovery.demo import seed_people

    people = seed_people()
    published_version()
    demo_intake.seed(people)
    demo_intake.seed(people)
    [invitation] = Invitation.objects.all()
    assert (invitation.invited_by, invitation.status) == (people.clinician, "pending")
    assert invitation.program is not None
