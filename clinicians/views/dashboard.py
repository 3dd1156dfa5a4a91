from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from recovery.decorators import clinician_required


@clinician_required
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "clinicians/dashboard.html", {})
