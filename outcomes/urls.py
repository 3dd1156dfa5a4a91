from django.urls import path

from . import views

app_name = "outcomes"
urlpatterns = [
    path("questionnaires/<str:code>/", views.answer, name="answer"),
]
