"""/clinic/cohorts/: the cohorts a clinician facilitates (admins: their clinic's)."""

from django.urls import path

from .views import cohorts

urlpatterns = [
    path("", cohorts.cohort_list, name="cohort_list"),
    path("new/", cohorts.cohort_new, name="cohort_new"),
    path("<int:cohort_id>/", cohorts.cohort_detail, name="cohort_detail"),
    path("<int:cohort_id>/attendance/", cohorts.attendance_save, name="cohort_attendance"),
    path("<int:cohort_id>/members/", cohorts.member_add, name="cohort_member_add"),
    path("<int:cohort_id>/screening/", cohorts.screening_save, name="cohort_screening"),
    path(
        "<int:cohort_id>/sessions/<int:occurrence_id>/move/",
        cohorts.occurrence_move,
        name="cohort_occurrence_move",
    ),
    path(
        "<int:cohort_id>/sessions/<int:occurrence_id>/cancel/",
        cohorts.occurrence_cancel,
        name="cohort_occurrence_cancel",
    ),
]
