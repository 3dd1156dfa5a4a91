from django.apps import AppConfig


class CliniciansConfig(AppConfig):
    name = "clinicians"
    verbose_name = "Clinicians and care teams"

    def ready(self) -> None:
        from allauth.account.signals import user_signed_up
        from django.db.models.signals import m2m_changed, post_save

        from programs.models import Cohort, CohortMembership, Enrolment
        from recovery import access, adapters, demo, panels

        from . import (
            care_teams,
            demo_caseload,
            demo_intake,
            joining,
            reminders,
            report_jobs,
            visits,
        )

        # The care team follows enrolments and cohorts, whoever creates them (views, admin).
        post_save.connect(care_teams.on_enrolment_saved, sender=Enrolment,
                          dispatch_uid="care_team_enrolment")
        post_save.connect(care_teams.on_membership_saved, sender=CohortMembership,
                          dispatch_uid="care_team_membership")
        m2m_changed.connect(care_teams.on_facilitators_changed,
                            sender=Cohort.facilitators.through,
                            dispatch_uid="care_team_facilitators")
        # Someone who signs up alone waits for the clinic, and lands on the waiting page.
        user_signed_up.connect(joining.on_signed_up, dispatch_uid="join_request_on_signup")
        adapters.register_landing(joining.landing)
        access.register_care_team(care_teams.clinicians_of)
        demo.register_seeder("clinicians-intake", order=40, seed=demo_intake.seed)
        # The weekly caseload digest (recovery.notifications.registry).
        reminders.register()
        panels.register("next-visit", order=20, build=visits.today_panel)
        demo.register_seeder("clinicians-caseload", order=45, seed=demo_caseload.seed)
        # Long progress reports are built by the worker (recovery.export_jobs).
        report_jobs.register()
        # Cached pages follow every write to these (recovery.freshness).
        from recovery import freshness

        from .models import CareTeamMember, JoinRequest
        from .models_visits import FollowUpVisit

        for model in (CareTeamMember, JoinRequest, FollowUpVisit):
            freshness.track(model)
