from django.urls import path

from .views import mydata

urlpatterns = [
    path("", mydata.index, name="my_data"),
    path("export.json", mydata.export_json, name="my_data_json"),
    path("export.pdf", mydata.export_pdf, name="my_data_pdf"),
    path("report-consent/", mydata.report_consent, name="my_data_report_consent"),
    path("access/", mydata.record_access, name="my_data_access"),
    path("delete/", mydata.delete_account, name="my_data_delete"),
    path("delete/cancel/", mydata.cancel_deletion, name="my_data_cancel_deletion"),
]
