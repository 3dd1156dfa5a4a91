from django.urls import path

from .views import fhir, patients

urlpatterns = [
    path("", patients.patient_list, name="patient_list"),
    path("<int:patient_id>/journal/", patients.patient_journal, name="patient_journal"),
    path("<int:patient_id>/fhir/", fhir.patient_fhir, name="patient_fhir"),
]
