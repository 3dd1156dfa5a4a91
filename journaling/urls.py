from django.urls import path

from . import views

app_name = "journaling"
urlpatterns = [
    path("today/", views.today, name="today"),
]
