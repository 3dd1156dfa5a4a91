"""Care teams become explicit data: fill them from what access used to read. Each patient's
primary is the responsible clinician of their newest open enrolment (else their newest
enrolment); every other responsible clinician and every facilitator of a cohort they are in
joins as "other"."""

from django.db import migrations


def fill(apps, schema_editor):
    Enrolment = apps.get_model("programs", "Enrolment")
    CohortMembership = apps.get_model("programs", "CohortMembership")
    Member = apps.get_model("clinicians", "CareTeamMember")
    teams: dict[int, dict[int, str]] = {}
    enrolments = Enrolment.objects.select_related("patient", "clinician").order_by(
        "patient_id", "-start_date", "-pk"
    )
    open_first = sorted(enrolments, key=lambda e: e.status not in ("active", "paused"))
    for e in open_first:
        if e.clinician.clinic_id != e.patient.clinic_id:
            continue
        team = teams.setdefault(e.patient_id, {})
        role = "other" if "primary" in team.values() else "primary"
        team.setdefault(e.clinician_id, role)
    memberships = CohortMembership.objects.select_related("enrolment__patient", "cohort")
    for m in memberships:
        patient = m.enrolment.patient
        for facilitator in m.cohort.facilitators.all():
            if facilitator.clinic_id == patient.clinic_id:
                teams.setdefault(patient.pk, {}).setdefault(facilitator.pk, "other")
    Member.objects.bulk_create(
        [
            Member(patient_id=patient_id, clinician_id=clinician_id, role=role)
            for patient_id, team in teams.items()
            for clinician_id, role in team.items()
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("clinicians", "0001_care_teams_and_invitations"),
        ("programs", "0002_initial"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
