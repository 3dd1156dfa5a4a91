from django.urls import path

from .views import offline, today

urlpatterns = [
    path("today/", today.index, name="today"),
    path("today/check-in/", today.checkin, name="checkin"),
    path("today/exercises/<int:exercise_id>/done/", today.complete, name="complete_exercise"),
    path("today/exercises/<int:exercise_id>/undo/", today.undo, name="undo_completion"),
    path("today/flare/", today.flare_support, name="flare_support"),
    # Replays of what was done offline (static/js/offline-queue.js), JSON in and out.
    path("today/offline/check-in/", offline.checkin, name="offline_checkin"),
    path("today/offline/exercises/<int:exercise_id>/done/", offline.complete,
         name="offline_complete_exercise"),
]
