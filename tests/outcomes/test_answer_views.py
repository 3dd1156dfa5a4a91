"""A patient answers a questionnaire on one screen: published wording, a draft kept, an
idempotent submission, and the safety pathway with or without the broker."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse
from kombu.exceptions import OperationalError

from outcomes.models import QuestionnaireResponse, SafetyAlert
from recovery.tasks import send_email
from tests.recovery.conftest import celery_eager  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db


def url(code: str) -> str:
    return reverse("outcomes:answer", args=[code])


def phq9(*values, action="submit", client_id=None, **extra) -> dict:
    data = {f"item-{n}": str(v) for n, v in enumerate(values, start=1) if v is not None}
    data.update(action=action, client_id=str(client_id or uuid.uuid4()), **extra)
    return data


@pytest.fixture
def crisis_clinic(patient):
    clinic = patient.clinic
    clinic.crisis_resources = "Call the crisis line: 988 (any time)."
    clinic.contact_email = "team@clinic.test"
    clinic.save()
    return clinic


def test_the_page_shows_the_published_wording_as_big_choices(patient_client, instruments):
    page = patient_client.get(url("PHQ-9"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Over the last 2 weeks, how often have you been bothered" in text
    assert "Thoughts that you would be better off dead or of hurting yourself in some way" in text
    assert text.count('type="radio"') == 9 * 4 + 4  # nine items and the difficulty question
    assert "More than half the days" in text


def test_disabled_unknown_and_staff_get_404(patient_client, clinician_client, instruments):
    assert patient_client.get(url("PCS")).status_code == 404  # placeholder wording, disabled
    assert patient_client.get(url("BDI")).status_code == 404
    assert clinician_client.get(url("PHQ-9")).status_code == 404


def test_a_draft_is_kept_when_the_page_is_left_half_way(patient_client, patient, instruments):
    response = patient_client.post(
        url("GAD-7"), {"item-1": "2", "item-2": "1", "action": "draft"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "saved" in response.content.decode()
    draft = QuestionnaireResponse.objects.get(patient=patient, status="draft")
    assert draft.answers == [2, 1, None, None, None, None, None]
    # Again (another change): the same draft row is updated, not duplicated.
    patient_client.post(url("GAD-7"), {"item-1": "3", "item-2": "1", "action": "draft"},
                        HTTP_HX_REQUEST="true")
    assert QuestionnaireResponse.objects.get(patient=patient).answers[0] == 3
    page = patient_client.get(url("GAD-7")).content.decode()
    assert 'name="item-1" value="3" checked' in page


def test_submitting_scores_the_response_and_a_retry_never_duplicates(patient_client, patient, instruments):
    patient_client.post(url("PHQ-9"), phq9(1, 1, action="draft"))
    data = phq9(1, 2, 1, 2, 1, 0, 1, 0, 0)
    first = patient_client.post(url("PHQ-9"), data)
    assert first.status_code == 200 and "Thank you" in first.content.decode()
    again = patient_client.post(url("PHQ-9"), data)  # a double tap, or a retry after a timeout
    assert again.status_code == 200
    response = QuestionnaireResponse.objects.get(patient=patient)  # the draft became it
    assert (response.status, response.score, response.band) == ("submitted", 8.0, "Mild")
    assert response.local_date == patient.local_today()


def test_unanswered_questions_are_named_and_the_answers_kept(patient_client, patient, instruments):
    response = patient_client.post(url("PHQ-9"), phq9(1, 2, 1, None, 1, 0, 1, 0, 0))
    text = response.content.decode()
    assert response.status_code == 400
    assert 'id="item-4-error"' in text and "Please answer this question." in text
    assert 'name="item-2" value="2" checked' in text
    draft = QuestionnaireResponse.objects.get(patient=patient)
    assert draft.status == "draft" and draft.answers[1] == 2


@pytest.mark.parametrize("junk", ["7", "abc", "-1"])
def test_an_answer_no_option_has_is_refused_without_an_error_page(patient_client, instruments, junk):
    response = patient_client.post(url("PHQ-9"), {**phq9(1, 1, 1, 1, 1, 1, 1, 1, 1), "item-3": junk})
    assert response.status_code == 400
    assert "Choose one of the answers shown." in response.content.decode()
    assert not QuestionnaireResponse.objects.filter(status="submitted").exists()


def test_item_9_shows_crisis_resources_and_opens_one_alert(
    patient_client, patient, instruments, crisis_clinic, django_capture_on_commit_callbacks, mailoutbox,
    celery_eager,  # noqa: F811 - the fixture imported above
):
    from clinicians.care_teams import ensure_member
    from recovery.models import ReminderLedger
    from tests.factories import ClinicianFactory

    doctor = ClinicianFactory(email="doctor@clinic.test", clinic=patient.clinic)
    ensure_member(patient, doctor)
    data = phq9(0, 0, 0, 0, 0, 0, 0, 0, 1)
    with django_capture_on_commit_callbacks(execute=True):
        page = patient_client.post(url("PHQ-9"), data)
        patient_client.post(url("PHQ-9"), data)  # a retry opens no second alert
    text = page.content.decode()
    assert page.status_code == 200
    assert "Call the crisis line: 988 (any time)." in text and 'role="alert"' in text
    alert = SafetyAlert.objects.get(patient=patient)
    assert alert.is_open and "item 9 answered 1 (Several days)" in alert.reason
    # The care team through the reminder ledger (one row each, sent), the clinic's address by
    # a plain email; neither names the patient or an answer: they link to the patient's page.
    [row] = ReminderLedger.objects.filter(kind="safety_alert")
    assert (row.recipient_id, row.slot, row.status) == (doctor.pk, f"alert-{alert.pk}", "sent")
    assert sorted(m.to[0] for m in mailoutbox) == ["doctor@clinic.test", "team@clinic.test"]
    for message in mailoutbox:
        assert patient.email not in message.body and "Several days" not in message.body
        assert f"/clinic/patients/{patient.pk}/" in message.body


def test_a_broker_failure_never_loses_the_alert_or_the_page(
    patient_client, patient, instruments, crisis_clinic, django_capture_on_commit_callbacks,
    monkeypatch, caplog,
):
    def unreachable(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(send_email, "apply_async", unreachable)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        page = patient_client.post(url("PHQ-9"), phq9(3, 3, 3, 3, 3, 3, 3, 3, 3))
    assert len(callbacks) == 2  # the care team's reminders and the clinic's email, after commit
    assert page.status_code == 200 and "Call the crisis line" in page.content.decode()
    assert SafetyAlert.objects.filter(patient=patient, acknowledged_at=None).count() == 1
    assert "could not be queued" in caplog.text


def test_a_real_unreachable_broker_is_survived_too(
    patient_client, patient, instruments, crisis_clinic, django_capture_on_commit_callbacks,
    monkeypatch,
):
    from outcomes import services
    from recovery.celery import app

    queued: list[bool] = []
    real_queue_email = services.queue_email
    monkeypatch.setattr(
        services, "queue_email", lambda *args: queued.append(real_queue_email(*args))
    )
    # Nothing listens on port 1: publishing fails the way a stopped Redis does. A pool of its
    # own for this broker, and the real one back afterwards, so later tests are untouched.
    old = (app.conf.broker_url, app._pool, app.amqp._producer_pool, app.conf.task_always_eager)
    app.conf.broker_url, app._pool, app.amqp._producer_pool = "redis://127.0.0.1:1/0", None, None
    app.conf.task_always_eager = False
    try:
        with django_capture_on_commit_callbacks(execute=True):
            page = patient_client.post(url("PHQ-9"), phq9(0, 0, 0, 0, 0, 0, 0, 0, 2))
    finally:
        if app._pool is not None:
            app._pool.force_close_all()
        app.conf.broker_url, app._pool, app.amqp._producer_pool, app.conf.task_always_eager = old
    assert queued == [False]  # the broker refused, and the request went on
    assert page.status_code == 200 and "Call the crisis line" in page.content.decode()
    assert SafetyAlert.objects.filter(patient=patient).count() == 1
