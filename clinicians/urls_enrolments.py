"""/clinic/patients/<id>/enrolments/...: a patient's programme and care team sections."""

from django.urls import path

from .views import care_team, enrolments

E = "<int:patient_id>/enrolments/<int:enrolment_id>"
T = "<int:patient_id>/enrolments/care-team"

urlpatterns = [
    path("<int:patient_id>/enrolments/", enrolments.patient_programme, name="patient_programme"),
    path("<int:patient_id>/enrolments/new/", enrolments.enrolment_new, name="enrolment_new"),
    path(f"{E}/pause/", enrolments.enrolment_pause, name="enrolment_pause"),
    path(f"{E}/resume/", enrolments.enrolment_resume, name="enrolment_resume"),
    path(f"{E}/complete/", enrolments.enrolment_complete, name="enrolment_complete"),
    path(f"{E}/withdraw/", enrolments.enrolment_withdraw, name="enrolment_withdraw"),
    path(f"{T}/add/", care_team.care_team_add, name="care_team_add"),
    path(f"{T}/<int:clinician_id>/primary/", care_team.care_team_primary, name="care_team_primary"),
    path(f"{T}/<int:clinician_id>/remove/", care_team.care_team_remove, name="care_team_remove"),
]
