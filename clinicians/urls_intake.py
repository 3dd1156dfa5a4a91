"""/clinic/invitations/: inviting patients, and the people waiting to join the clinic."""

from django.urls import path

from .views import invitations

urlpatterns = [
    path("", invitations.invitation_list, name="invitation_list"),
    path("new/", invitations.invitation_new, name="invitation_new"),
    path("<int:invitation_id>/resend/", invitations.invitation_resend, name="invitation_resend"),
    path("<int:invitation_id>/revoke/", invitations.invitation_revoke, name="invitation_revoke"),
    path("waiting/<int:join_id>/accept/", invitations.join_accept, name="join_accept"),
]
