from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from recovery.decorators import patient_required


@patient_required
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "journaling/today.html", {"local_today": request.user.local_today()})
