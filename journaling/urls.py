"""Each area of the patient's side owns its own url module."""

from django.urls import include, path

app_name = "journaling"
urlpatterns = [
    path("", include("journaling.urls_today")),
    path("journal/", include("journaling.urls_journal")),
    path("history/", include("journaling.urls_history")),
    path("my-data/", include("journaling.urls_mydata")),
]
