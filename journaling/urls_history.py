from django.urls import path

from .views import history

urlpatterns = [
    path("", history.index, name="history"),
    path("programme/<int:enrolment_id>/", history.programme, name="history_programme"),
]
