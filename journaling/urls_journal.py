from django.urls import path

from .views import journal

urlpatterns = [
    path("", journal.index, name="journal"),
]
