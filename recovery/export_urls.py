from django.urls import path

from . import export_views

app_name = "exports"

urlpatterns = [
    path("<int:job_id>/", export_views.job, name="job"),
    path("<int:job_id>/download/", export_views.download, name="download"),
]
