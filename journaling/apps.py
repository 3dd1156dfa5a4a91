from django.apps import AppConfig


class JournalingConfig(AppConfig):
    name = "journaling"
    verbose_name = "Journal, exercises and check-ins"
