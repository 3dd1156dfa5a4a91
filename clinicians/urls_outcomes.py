from django.urls import path

from .views import outcomes

urlpatterns = [
    path("", outcomes.outcomes_page, name="outcomes"),
    path("outcomes.csv", outcomes.outcomes_csv, name="outcomes_csv"),
]
