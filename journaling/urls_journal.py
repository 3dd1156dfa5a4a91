from django.urls import path

from .views import journal

urlpatterns = [
    path("", journal.index, name="journal"),
    path("new/", journal.new, name="journal_new"),
    path("autosave/", journal.autosave, name="journal_autosave"),
    path("release/", journal.release, name="journal_release"),
    path("stressors/", journal.stressors, name="journal_stressors"),
    path("stressors/<int:pk>/remove/", journal.stressor_remove, name="journal_stressor_remove"),
    path("<int:pk>/", journal.detail, name="journal_entry"),
    path("<int:pk>/edit/", journal.edit, name="journal_edit"),
    path("<int:pk>/privacy/", journal.privacy, name="journal_privacy"),
]
