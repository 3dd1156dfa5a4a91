"""An admin builds, previews, compares and publishes a curriculum in the Django admin; a
published version is read-only there; enrolments and screenings are clinic-scoped and audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from programs import enrolments, versions
from programs.models import Enrolment, ExerciseTemplate, Program, ProgramVersion, Session, Week
from recovery.models import AuditEvent
from tests.conftest import client_for
from tests.factories import AdminFactory, ClinicFactory, ClinicianFactory, PatientFactory
from tests.programs.builders import build_version, exercise, session

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user():
    return AdminFactory(email="admin@example.test")


@pytest.fixture
def admin_client(admin_user) -> Client:
    return client_for(admin_user)


def url(name: str, *args: Any) -> str:
    return reverse(f"admin:programs_programversion_{name}", args=args)


def management(prefix: str, total: int, initial: int = 0) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def form_data(response) -> dict[str, Any]:
    """What the browser would post back from an admin change page, unchanged."""
    data: dict[str, Any] = {}

    def add(form) -> None:
        for name, field in form.fields.items():
            value = form[name].value()
            key = form.add_prefix(name)
            if field.widget.input_type == "file" if hasattr(field.widget, "input_type") else False:
                continue
            if isinstance(value, bool) or field.widget.__class__.__name__ == "CheckboxInput":
                if value:
                    data[key] = "on"
            elif isinstance(value, list | tuple):
                data[key] = [str(v) for v in value]
            else:
                data[key] = "" if value is None else str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    return data


def new_week(i: int, number: int, title: str, education: str = "") -> dict[str, str]:
    return {
        f"weeks-{i}-number": str(number),
        f"weeks-{i}-title": title,
        f"weeks-{i}-goals": "",
        f"weeks-{i}-education": education,
    }


def new_exercise(i: int, **fields: Any) -> dict[str, Any]:
    values = {
        "title": "Writing",
        "slug": f"ex-{i}",
        "kind": "expressive_writing",
        "order": str(i),
        "estimated_minutes": "15",
        "instructions": "Write for fifteen minutes.",
        "prompt": "",
        "media_url": "",
        "weeks": "1",
        "cadence": "daily",
        "times_per_week": "",
        "once_week": "",
        "once_day": "",
    }
    values.update(fields)
    return {f"exercises-{i}-{k}": v for k, v in values.items()}


# --- building a curriculum without code -------------------------------------------------------


def test_an_admin_builds_a_curriculum_with_the_add_form_and_inlines(admin_client) -> None:
    program = Program.objects.create(slug="home", title="Home programme")
    page = admin_client.get(url("add") + f"?program={program.pk}")
    assert page.status_code == 200
    assert "Weeks (numbered 1, 2, 3… without gaps)" in page.content.decode()
    data = {
        "program": str(program.pk),
        "title": "",
        "description": "Daily journaling, then thinking psychologically.",
        "source": "Seed 002",
        "changelog": "",
        **management("weeks", 2),
        **new_week(0, 1, "Accept the diagnosis", "Read chapter 1."),
        **new_week(1, 2, "Think psychologically"),
        **management("sessions", 1),
        "sessions-0-title": "Initial consultation",
        "sessions-0-slug": "initial",
        "sessions-0-kind": "initial_consultation",
        "sessions-0-week": "1",
        "sessions-0-day": "1",
        "sessions-0-order": "0",
        "sessions-0-duration_minutes": "45",
        "sessions-0-aims": "",
        "sessions-0-agenda": "",
        **management("exercises", 2),
        **new_exercise(0, title="Journal", weeks="1-2", rest_days=["6"]),
        **new_exercise(1, title="Unsent letter", weeks="2", cadence="weekdays",
                       weekdays=["0", "3"]),
        "_continue": "Save and continue editing",
    }
    response = admin_client.post(url("add"), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    version = ProgramVersion.objects.get(program=program)
    assert (version.number, version.status) == (1, ProgramVersion.Status.DRAFT)
    assert list(version.weeks.values_list("number", "title")) == [
        (1, "Accept the diagnosis"), (2, "Think psychologically")
    ]
    journal = version.exercises.get(slug="ex-0")
    assert (journal.weeks, journal.rest_days) == ([1, 2], [6])
    assert version.exercises.get(slug="ex-1").weekdays == [0, 3]
    assert version.sessions.get().duration_minutes == 45
    assert versions.validation_errors(version) == []

    # The change page shows the friendly values back, and an unchanged post changes nothing.
    page = admin_client.get(url("change", version.pk))
    body = page.content.decode()
    assert 'value="1-2"' in body and "Publish this version" in body
    assert admin_client.post(url("change", version.pk), form_data(page)).status_code == 302
    assert ExerciseTemplate.objects.get(pk=journal.pk).weeks == [1, 2]


def test_bad_week_lists_get_a_clear_message_and_save_nothing(admin_client) -> None:
    version = build_version()
    page = admin_client.get(url("change", version.pk))
    data = form_data(page)
    data.update(management("exercises", 2, 1))
    data.update(new_exercise(1, weeks="1-x"))
    response = admin_client.post(url("change", version.pk), data)
    assert response.status_code == 200
    assert "“1-x” is not a week number: write weeks such as 1-3, 5." in response.content.decode()
    assert version.exercises.count() == 1


# --- publishing -----------------------------------------------------------------------------------


def test_publish_action_shows_every_refusal_then_publishes(admin_client) -> None:
    version = build_version(education=False, exercises=[exercise("w", title="Walk", weeks=[1, 7])])
    action = {"action": "publish_versions", "_selected_action": [str(version.pk)],
              "confirm": "yes"}
    response = admin_client.post(reverse("admin:programs_programversion_changelist"), action,
                                 follow=True)
    body = response.content.decode()
    assert "was not published" in body
    assert "Exercise “Walk”: week 7 is not a week of this version (1–3)." in body
    assert "Week 2 “Week 2 title”: nothing is planned that week" in body
    version.refresh_from_db()
    assert version.status == ProgramVersion.Status.DRAFT

    version.exercises.update(weeks=[1, 2, 3])
    response = admin_client.post(reverse("admin:programs_programversion_changelist"), action,
                                 follow=True)
    assert "Published version 1" in response.content.decode()
    version.refresh_from_db()
    assert version.status == ProgramVersion.Status.PUBLISHED


def test_publishing_asks_for_confirmation_with_a_summary(admin_client) -> None:
    """Defect 13: 'Publish' needed no confirmation and showed nothing of what would freeze."""
    v1 = build_version(publish=True)
    v2 = versions.new_draft_from(v1)
    Session.objects.create(version=v2, **session("consult"))
    broken = build_version("other", education=False, exercises=[exercise("w", weeks=[9])])

    # The change form's button leads to the confirmation page; nothing is published yet.
    assert url("publish", v2.pk) in admin_client.get(url("change", v2.pk)).content.decode()
    for page in (admin_client.get(url("publish", v2.pk)),
                 admin_client.post(url("publish", v2.pk))):
        body = page.content.decode()
        assert page.status_code == 200
        assert "Will freeze: 3 weeks, 1 session, 1 exercise." in body
        assert "Retires version 1" in body and "every check passed" in body
        assert 'name="confirm" value="yes"' in body and "Cancel" in body
    v2.refresh_from_db()
    assert v2.status == ProgramVersion.Status.DRAFT

    # The list's action shows the same summary for each selected version, refusals included.
    listing = reverse("admin:programs_programversion_changelist")
    chosen = {"action": "publish_versions", "_selected_action": [str(v2.pk), str(broken.pk)]}
    body = admin_client.post(listing, chosen).content.decode()
    assert "Retires version 1" in body
    assert "No version of “other title” is published yet: this will be the first." in body
    assert "It cannot be published" in body and "week 9 is not a week of this version" in body
    assert 'value="Publish 1 version"' in body
    v2.refresh_from_db()
    assert v2.status == ProgramVersion.Status.DRAFT

    response = admin_client.post(listing, {**chosen, "confirm": "yes"}, follow=True)
    v2.refresh_from_db()
    assert v2.status == ProgramVersion.Status.PUBLISHED
    assert "Published version 2" in response.content.decode()


def test_the_change_form_buttons_publish_and_draft(admin_client) -> None:
    version = build_version()
    response = admin_client.post(url("publish", version.pk), {"confirm": "yes"}, follow=True)
    assert "Published version 1" in response.content.decode()
    response = admin_client.post(url("new_draft", version.pk), follow=True)
    draft = ProgramVersion.objects.get(number=2)
    assert response.redirect_chain[-1][0] == url("change", draft.pk)
    assert "Created draft version 2" in response.content.decode()
    assert admin_client.get(url("new_draft", version.pk)).status_code == 405


def test_new_draft_action_copies_the_version(admin_client) -> None:
    version = build_version(publish=True)
    admin_client.post(
        reverse("admin:programs_programversion_changelist"),
        {"action": "draft_from_versions", "_selected_action": [str(version.pk)]},
    )
    draft = ProgramVersion.objects.get(number=2)
    assert draft.status == ProgramVersion.Status.DRAFT and draft.weeks.count() == 3


# --- a published version is read-only ---------------------------------------------------------------


def test_a_published_version_is_read_only_in_the_admin(admin_client) -> None:
    version = build_version(sessions=[session("consult")], publish=True)
    page = admin_client.get(url("change", version.pk))
    body = page.content.decode()
    assert page.status_code == 200
    assert "is published and frozen" in body and "New draft from this version" in body
    assert 'name="_save"' not in body and "Delete" not in body
    assert not any(
        inline.has_add_permission or inline.has_change_permission
        for inline in page.context["inline_admin_formsets"]
    )

    # A crafted post (as if the page had been opened while still a draft) is refused.
    data = {
        "program": str(version.program_id), "title": "Hacked", "description": "",
        "source": "", "changelog": "",
        **management("weeks", 1), **new_week(0, 4, "Extra"),
        **management("sessions", 0), **management("exercises", 0),
    }
    assert admin_client.post(url("change", version.pk), data).status_code == 403
    assert admin_client.post(url("delete", version.pk), {"post": "yes"}).status_code == 403
    version.refresh_from_db()
    assert version.title == "" and version.weeks.count() == 3
    assert not Week.objects.filter(title="Extra").exists()
    actions = admin_client.get(reverse("admin:programs_programversion_changelist"))
    assert "delete_selected" not in actions.content.decode()


# --- preview and compare ----------------------------------------------------------------------------


def test_preview_shows_what_a_patient_sees_that_day(admin_client) -> None:
    version = build_version(
        exercises=[
            exercise("journal", title="Journal", weeks=[1, 2], prompt="What was happening?"),
            exercise("letter", title="Unsent letter", weeks=[2], cadence="weekdays",
                     weekdays=[1], instructions="Write to someone you never told."),
        ],
        sessions=[session("group", title="Group session two", week=2, day=2,
                          agenda="Breathing practice")],
    )
    change = admin_client.get(url("change", version.pk)).content.decode()
    assert url("preview", version.pk) in change and url("compare", version.pk) in change

    page = admin_client.get(url("preview", version.pk),
                            {"week": 2, "day": 2, "start": "2025-03-03"})
    body = page.content.decode()
    assert "Week 2, day 2 (Tuesday 11 March 2025)" in body
    assert "Week 2 title" in body and "Goals of week 2" in body and "Read chapter 2." in body
    assert "Journal" in body and "What was happening?" in body
    assert "Unsent letter" in body and "Write to someone you never told." in body
    assert "Group session two" in body and "Breathing practice" in body

    # Starting on a Wednesday moves the Tuesday letter off programme day 2.
    body = admin_client.get(url("preview", version.pk),
                            {"week": 2, "day": 2, "start": "2025-03-05"}).content.decode()
    assert "Unsent letter" not in body and "Journal" in body

    default = admin_client.get(url("preview", version.pk))
    assert default.context["form"].initial["start"].weekday() == 0
    assert "Week 1, day 1" in default.content.decode()
    bad = admin_client.get(url("preview", version.pk), {"week": 9, "day": 1, "start": "x"})
    assert bad.status_code == 200 and "Select a valid choice" in bad.content.decode()


def test_compare_lists_the_changes_between_two_versions(admin_client) -> None:
    v1 = build_version(exercises=[exercise("letter", title="Unsent letter",
                                           estimated_minutes=15, weeks=[1, 2, 3])],
                       publish=True)
    v2 = versions.new_draft_from(v1)
    v2.exercises.update(estimated_minutes=20)
    page = admin_client.get(url("compare", v2.pk))
    assert "Compare with" in page.content.decode()
    body = admin_client.get(url("compare", v2.pk), {"other": v1.pk}).content.decode()
    assert "Changes from version 1 to version 2" in body
    assert "Exercise “Unsent letter”: estimated minutes 15 → 20" in body
    alone = build_version("alone")
    assert "has no other version" in admin_client.get(url("compare", alone.pk)).content.decode()


def test_only_admins_reach_the_curriculum_pages(clinician_client) -> None:
    version = build_version()
    for name in ("preview", "compare", "change"):
        response = clinician_client.get(url(name, version.pk))
        assert response.status_code == 302 and "/login" in response["Location"]
    assert clinician_client.post(url("publish", version.pk)).status_code == 302
    version.refresh_from_db()
    assert version.status == ProgramVersion.Status.DRAFT


# --- programmes, enrolments, screenings ------------------------------------------------------------


def test_program_page_lists_its_versions(admin_client) -> None:
    v1 = build_version(publish=True)
    versions.new_draft_from(v1)
    body = admin_client.get(
        reverse("admin:programs_program_change", args=[v1.program_id])
    ).content.decode()
    assert "Published" in body and "Draft" in body
    assert url("add") + f"?program={v1.program_id}" in body


def test_enrolments_are_scoped_to_the_clinic_and_audited(
    admin_client, admin_user, patient, clinician, django_assert_max_num_queries
) -> None:
    version = build_version(publish=True)
    mine = enrolments.enrol(patient, clinician, dt.date(2025, 3, 3), version=version)
    elsewhere = ClinicFactory(slug="elsewhere")
    stranger = PatientFactory(clinic=elsewhere, email="stranger@example.test")
    their_doc = ClinicianFactory(clinic=elsewhere, totp=False)
    theirs = enrolments.enrol(stranger, their_doc, dt.date(2025, 3, 3), version=version)
    for i in range(3):
        other = PatientFactory(email=f"p{i}@example.test")
        enrolments.enrol(other, clinician, dt.date(2025, 3, 3), version=version)

    with django_assert_max_num_queries(12):
        listing = admin_client.get(reverse("admin:programs_enrolment_changelist"))
    body = listing.content.decode()
    assert "pat@example.test" in body and "stranger@example.test" not in body
    assert admin_client.get(
        reverse("admin:programs_enrolment_change", args=[theirs.pk])
    ).status_code == 302  # not found in this admin's clinic: back to the admin index
    page = admin_client.get(reverse("admin:programs_enrolment_change", args=[mine.pk]))
    assert page.status_code == 200
    assert AuditEvent.objects.filter(
        actor=admin_user, patient=patient, action="admin_view_enrolment"
    ).exists()
    assert AuditEvent.objects.filter(actor=admin_user, action="admin_list_enrolment").exists()


def test_the_enrolment_form_applies_the_enrolment_rules(admin_client, patient, clinician) -> None:
    draft = build_version()
    published = build_version("published-one", publish=True)
    enrolments.enrol(patient, clinician, dt.date(2025, 3, 3), version=published)
    add = reverse("admin:programs_enrolment_add")
    data = {
        "patient": patient.pk, "clinician": clinician.pk, "start_date": "2025-04-01",
        **management("pauses", 0),
    }
    response = admin_client.post(add, {**data, "version": published.pk})
    assert "is already enrolled in" in response.content.decode()
    response = admin_client.post(add, {**data, "version": draft.pk})
    assert "Select a valid choice" in response.content.decode()  # drafts are not offered
    assert Enrolment.objects.count() == 1


def test_complete_action_uses_the_service(admin_client, patient, clinician) -> None:
    version = build_version(publish=True)
    enrolment = enrolments.enrol(patient, clinician, dt.date(2025, 3, 3), version=version)
    admin_client.post(
        reverse("admin:programs_enrolment_changelist"),
        {"action": "complete_today", "_selected_action": [str(enrolment.pk)]},
    )
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.COMPLETED
    assert enrolment.completed_on == patient.local_today()


def enrolment_action(client: Client, action: str, *enrolments_: Enrolment) -> list[str]:
    response = client.post(
        reverse("admin:programs_enrolment_changelist"),
        {"action": action, "_selected_action": [str(e.pk) for e in enrolments_]},
        follow=True,
    )
    return [str(m) for m in response.context["messages"]]


def test_pause_resume_and_withdraw_actions_say_what_happened_to_each(
    admin_client, patient, clinician
) -> None:
    version = build_version(publish=True)
    running = enrolments.enrol(patient, clinician, dt.date(2025, 3, 3), version=version)
    other = PatientFactory(email="other@example.test")
    finished = enrolments.enrol(other, clinician, dt.date(2025, 3, 3), version=version)
    enrolments.complete(finished, dt.date(2025, 3, 20))
    today = patient.local_today()

    said = enrolment_action(admin_client, "pause_today", running, finished)
    assert said == [
        f"pat@example.test in “home-programme title”: paused on {today:%-d %B %Y}.",
        "other@example.test in “home-programme title”: not paused. This enrolment is "
        "completed, so it cannot be paused.",
    ]
    running.refresh_from_db()
    assert running.status == Enrolment.Status.PAUSED
    assert running.pauses.get().start == today

    assert enrolment_action(admin_client, "pause_today", running) == [
        "pat@example.test in “home-programme title”: already paused; nothing changed."
    ]
    assert enrolment_action(admin_client, "resume_today", running) == [
        f"pat@example.test in “home-programme title”: resumed on {today:%-d %B %Y}."
    ]
    assert enrolment_action(admin_client, "withdraw_today", running)[0].endswith("withdrawn on "
                                                                                f"{today:%-d %B %Y}.")
    running.refresh_from_db()
    assert running.status == Enrolment.Status.WITHDRAWN and running.pauses.get().end == today


def test_the_change_form_cannot_edit_status_dates_or_pauses(
    admin_client, patient, clinician
) -> None:
    version = build_version(publish=True)
    enrolment = enrolments.enrol(patient, clinician, dt.date(2025, 3, 3), version=version)
    enrolments.pause(enrolment, dt.date(2025, 3, 5))
    change = reverse("admin:programs_enrolment_change", args=[enrolment.pk])
    page = admin_client.get(change)
    form = page.context["adminform"].form
    assert set(form.fields) == {"clinician"}
    [pauses] = page.context["inline_admin_formsets"]
    assert not (pauses.has_add_permission or pauses.has_change_permission
                or pauses.has_delete_permission)
    assert 'class="deletelink"' not in page.content.decode()

    # A crafted post changes nothing but what the form offers.
    other_doc = ClinicianFactory(email="doc2@example.test", totp=False)
    response = admin_client.post(change, {
        "clinician": other_doc.pk, "status": "active", "start_date": "2025-01-01",
        "withdrawn_on": "2025-03-10", "patient": PatientFactory().pk,
        **management("pauses", 1, 1), "pauses-0-id": str(enrolment.pauses.get().pk),
        "pauses-0-enrolment": str(enrolment.pk), "pauses-0-end": "2025-03-06",
        "pauses-0-DELETE": "on",
    })
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.clinician == other_doc
    assert (enrolment.status, enrolment.start_date, enrolment.withdrawn_on) == (
        Enrolment.Status.PAUSED, dt.date(2025, 3, 3), None
    )
    assert enrolment.pauses.get().end is None and enrolment.patient == patient
    assert admin_client.post(
        reverse("admin:programs_enrolment_delete", args=[enrolment.pk]), {"post": "yes"}
    ).status_code == 403


def test_adding_an_enrolment_goes_through_the_engine(admin_client, patient, clinician) -> None:
    version = build_version(publish=True)
    response = admin_client.post(reverse("admin:programs_enrolment_add"), {
        "patient": patient.pk, "clinician": clinician.pk, "version": version.pk,
        "start_date": "2025-04-01", **management("pauses", 0),
    })
    assert response.status_code == 302
    enrolment = Enrolment.objects.get()
    assert (enrolment.status, enrolment.status_changed_on) == (
        Enrolment.Status.ACTIVE, dt.date(2025, 4, 1)
    )


def test_add_enrolment_offers_only_patients_and_clinicians_of_the_clinic(
    admin_client, patient, clinician, admin_user
) -> None:
    """Defect 13: the patient and clinician dropdowns listed every user."""
    elsewhere = ClinicFactory(slug="elsewhere")
    PatientFactory(clinic=elsewhere, email="far-patient@example.test")
    ClinicianFactory(clinic=elsewhere, email="far-doc@example.test", totp=False)
    form = admin_client.get(reverse("admin:programs_enrolment_add")).context["adminform"].form
    patients = set(form.fields["patient"].queryset.values_list("email", flat=True))
    clinicians = set(form.fields["clinician"].queryset.values_list("email", flat=True))
    assert patients == {"pat@example.test"}
    assert clinicians == {"doc@example.test"}


def test_an_admin_adds_a_programme(admin_client) -> None:
    response = admin_client.post(
        reverse("admin:programs_program_add"),
        {
            "slug": "mbm-workshop", "title": "MBM workshop", "summary": "", "source": "Seed 001",
            "versions-TOTAL_FORMS": "0", "versions-INITIAL_FORMS": "0",
            "versions-MIN_NUM_FORMS": "0", "versions-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302
    program = Program.objects.get(slug="mbm-workshop")
    page = admin_client.get(reverse("admin:programs_program_change", args=[program.pk]))
    assert "Add a version" in page.content.decode()


def test_screenings_are_scoped_to_the_clinic_and_audited(
    admin_client, admin_user, patient, clinician
) -> None:
    from programs.models import Screening

    program = Program.objects.create(slug="group", title="Group", is_group=True)
    stranger = PatientFactory(clinic=ClinicFactory(slug="far"), email="far@example.test")
    for who in (patient, stranger):
        Screening.objects.create(
            patient=who, program=program, decided_by=clinician, decided_on=dt.date(2025, 3, 1),
            outcome=Screening.Outcome.CLEARED, reason="PHQ-9 mild",
        )
    body = admin_client.get(reverse("admin:programs_screening_changelist")).content.decode()
    assert "pat@example.test" in body and "far@example.test" not in body
    mine = Screening.objects.get(patient=patient)
    assert admin_client.get(
        reverse("admin:programs_screening_change", args=[mine.pk])
    ).status_code == 200
    assert AuditEvent.objects.filter(
        actor=admin_user, patient=patient, action="admin_view_screening"
    ).exists()


# --- defect 3: line endings from the browser ------------------------------------------------------


def test_a_one_word_edit_in_the_admin_compares_as_one_change(admin_client) -> None:
    """Browsers post textareas with CRLF line endings; a version loaded from YAML has LF. Saving
    the draft unchanged except for one word must not make every long field differ."""
    from programs.yaml_io import CURRICULA_DIR, import_curriculum

    v1 = import_curriculum(CURRICULA_DIR / "mbm-workshop.yaml")
    v2 = versions.new_draft_from(v1)
    data = form_data(admin_client.get(url("change", v2.pk)))
    crlf = {k: v.replace("\n", "\r\n") if isinstance(v, str) else v for k, v in data.items()}
    assert any("\r\n" in v for v in crlf.values() if isinstance(v, str))
    crlf["description"] = crlf["description"].replace("workshop", "course", 1)
    response = admin_client.post(url("change", v2.pk), crlf)
    assert response.status_code == 302, response.context and response.context["errors"]

    v2.refresh_from_db()
    assert versions.diff_versions(v1, v2) == ["Version: description changed"]
    body = admin_client.get(url("compare", v2.pk), {"other": v1.pk}).content.decode()
    assert body.count("<li>Version: description changed</li>") == 1
    assert "\r" not in ProgramVersion.objects.get(pk=v2.pk).description


# --- defect 4: odd inputs on the preview and compare pages ----------------------------------------


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"week": 1, "day": 2, "start": "9999-12-31"}, "Choose a start date between"),
        ({"week": 1, "day": 1, "start": "0001-01-01"}, "Choose a start date between"),
        ({"week": 1, "day": 1, "start": "31/12/2025"}, "Enter a valid date"),
        ({"week": "x", "day": 1, "start": "2025-03-03"}, "Select a valid choice"),
        ({"week": 0, "day": 1, "start": "2025-03-03"}, "Select a valid choice"),
        ({"week": 1, "day": 8, "start": "2025-03-03"}, "Select a valid choice"),
        ({"week": 10**30, "day": -1, "start": "2025-03-03"}, "Select a valid choice"),
        ({"week": 1}, "This field is required"),
    ],
)
def test_odd_preview_inputs_get_a_clear_message(admin_client, params, message) -> None:
    version = build_version()
    response = admin_client.get(url("preview", version.pk), params)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "Exercises due" not in response.content.decode()


def test_the_last_day_of_the_window_still_previews(admin_client, admin_user) -> None:
    version = build_version()
    last = admin_user.local_today() + dt.timedelta(days=3650)
    response = admin_client.get(url("preview", version.pk),
                                {"week": 3, "day": 7, "start": last.isoformat()})
    assert response.status_code == 200 and "Exercises due" in response.content.decode()


@pytest.mark.parametrize("other", ["x", "0", str(10**30), "-1", ""])
def test_odd_compare_inputs_get_a_clear_message(admin_client, other) -> None:
    v1 = build_version(publish=True)
    v2 = versions.new_draft_from(v1)
    response = admin_client.get(url("compare", v2.pk), {"other": other})
    assert response.status_code == 200
    assert "Changes from version" not in response.content.decode()


@pytest.mark.parametrize("name", ["preview", "compare", "change"])
def test_a_huge_version_id_is_not_found(admin_client, name) -> None:
    response = admin_client.get(f"/admin/programs/programversion/{10**30}/{name}/")
    assert response.status_code in (302, 404)
