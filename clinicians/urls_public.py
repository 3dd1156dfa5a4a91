"""Pages outside /clinic/: the invitation link a patient opens, and the page where someone
who signed up alone waits for their clinic. Included from recovery/urls.py."""

from django.urls import path

from .views import invitations

urlpatterns = [
    path("invite/<str:token>/", invitations.invitation_accept, name="invitation_accept"),
    path("welcome/waiting/", invitations.waiting, name="waiting_for_clinic"),
]
