from django.urls import path

from .views import today

urlpatterns = [
    path("today/", today.index, name="today"),
]
