from django.urls import path

from .views import patients, report

urlpatterns = [
    path("", patients.patient_list, name="patient_list"),
    path("<int:patient_id>/journal/", patients.patient_journal, name="patient_journal"),
    path("<int:patient_id>/report/", report.report_form, name="patient_report"),
    path("<int:patient_id>/report.pdf", report.report_pdf, name="patient_report_pdf"),
]
