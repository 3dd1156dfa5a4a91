from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = "Programmes and curricula"

    def ready(self) -> None:
        from recovery.demo import register_seeder
        from recovery.signals import purge_patient_data

        from . import deletion, demo, reminders

        # A purged account's open enrolments are withdrawn (the clinic keeps the record).
        purge_patient_data.connect(deletion.purge_patient_data, dispatch_uid="programs.purge")
        # The demo patient's programme, cohort and attendance.
        register_seeder("programs", order=10, seed=demo.seed)
        # Its reminder kinds (recovery.notifications.registry).
        reminders.register()
        # Cached pages follow every write to these (recovery.freshness); a cohort's meetings
        # and place are shown to each member.
        from recovery import freshness

        from . import models

        for own in (models.Enrolment, models.Screening, models.Attendance):
            freshness.track(own)
        for of_enrolment in (models.EnrolmentPause, models.CohortMembership):
            freshness.track(of_enrolment, lambda row: [row.enrolment.patient_id])
        freshness.track(models.Cohort, lambda cohort: members(cohort.pk))
        freshness.track(models.Occurrence, lambda occ: members(occ.cohort_id))


def members(cohort_id: int) -> list[int]:
    """The patients in a cohort (its meetings, place and video link are on their pages)."""
    from .models import CohortMembership

    return list(
        CohortMembership.objects.filter(cohort_id=cohort_id).values_list(
            "enrolment__patient_id", flat=True
        )
    )
