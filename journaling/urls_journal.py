from django.urls import path

from .views import journal, journal_write, offline, stressors

urlpatterns = [
    path("", journal.index, name="journal"),
    path("new/", journal_write.new, name="journal_new"),
    path("autosave/", journal_write.autosave, name="journal_autosave"),
    path("release/", journal_write.release, name="journal_release"),
    path("offline/save/", offline.save_entry, name="journal_offline_save"),
    path("stressors/", stressors.stressors, name="journal_stressors"),
    path("stressors/undo/", stressors.stressor_undo, name="journal_stressor_undo"),
    path("stressors/<int:pk>/remove/", stressors.stressor_remove, name="journal_stressor_remove"),
    path("<int:pk>/", journal.detail, name="journal_entry"),
    path("<int:pk>/edit/", journal_write.edit, name="journal_edit"),
    path("<int:pk>/privacy/", journal.privacy, name="journal_privacy"),
]
