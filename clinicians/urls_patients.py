from django.urls import path

from .views import alerts, fhir, patients, report, review, visits

urlpatterns = [
    path("", patients.patient_list, name="patient_list"),
    path("<int:patient_id>/", review.patient_review, name="patient_review"),
    path(
        "<int:patient_id>/alerts/<int:alert_id>/acknowledge/",
        alerts.alert_acknowledge,
        name="alert_acknowledge",
    ),
    path("<int:patient_id>/journal/", patients.patient_journal, name="patient_journal"),
    path("<int:patient_id>/fhir/", fhir.patient_fhir, name="patient_fhir"),
    path("<int:patient_id>/report/", report.report_form, name="patient_report"),
    path("<int:patient_id>/report.pdf", report.report_pdf, name="patient_report_pdf"),
    path("<int:patient_id>/report/prepare/", report.report_prepare, name="patient_report_prepare"),
    path("<int:patient_id>/visits/new/", visits.visit_new, name="visit_new"),
    path("<int:patient_id>/visits/<int:visit_id>/", visits.visit_detail, name="visit_detail"),
]
