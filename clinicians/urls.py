"""Each clinician-facing area owns its own url module."""

from django.urls import include, path

from .views import dashboard

app_name = "clinicians"
urlpatterns = [
    path("", dashboard.index, name="dashboard"),
    path("cohorts/", include("clinicians.urls_cohorts")),
    path("patients/", include("clinicians.urls_patients")),
    path("outcomes/", include("clinicians.urls_outcomes")),
    path("patients/", include("clinicians.urls_enrolments")),
    path("invitations/", include("clinicians.urls_intake")),
]
