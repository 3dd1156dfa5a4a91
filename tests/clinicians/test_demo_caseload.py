"""The demo caseload: a dozen generated patients in different states, a visit next week for
the demo patient; deterministic and idempotent (tests/recovery/test_seed_demo.py counts every
row of a second run)."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from clinicians.caseload import Filters, caseload
from clinicians.models_visits import FollowUpVisit
from outcomes.models import SafetyAlert
from recovery.models import User

pytestmark = pytest.mark.django_db


def test_the_demo_clinician_has_a_varied_caseload(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    clinician = User.objects.get(email="clinician@demo.test")
    page = caseload(clinician, Filters())
    names = {r.patient.email for r in page.rows}
    assert "patient@demo.test" in names and len(names) >= 13
    assert page.rows[0].patient.email == "casey@demo.test"  # the open safety alert, first
    assert SafetyAlert.objects.filter(patient__email="casey@demo.test", acknowledged_at=None).exists()
    codes = {r.patient.email: {f.code for f in r.flags} for r in page.rows}
    assert "inactive" in codes["blake@demo.test"]
    assert "pain" in codes["dana@demo.test"]
    improving = next(r for r in page.rows if r.patient.email == "avery@demo.test")
    assert improving.pain_change is not None and improving.pain_change < 0
    visit = FollowUpVisit.objects.get(patient__email="patient@demo.test")
    days = (visit.scheduled_for.date() - dt.date.today()).days
    assert 6 <= days <= 8 and visit.status == "scheduled"
