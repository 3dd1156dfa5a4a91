"""Stub: replaced by the owner of this area."""

from django.http import HttpRequest, HttpResponse

from recovery.decorators import patient_required


@patient_required
def index(request: HttpRequest) -> HttpResponse:
    return HttpResponse("mydata: coming soon")
