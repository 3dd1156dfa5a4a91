"""seed_demo and demo_totp: demo accounts a newcomer can sign in with, on development only."""

from __future__ import annotations

import re
import time
from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.apps import apps
from django.core.management import CommandError, call_command

from recovery.demo import DEMO_PASSWORD, DEMO_TOTP_SECRETS
from recovery.models import User
from tests.recovery.conftest import totp_code

pytestmark = pytest.mark.django_db

PROJECT_APPS = ("recovery", "programs", "journaling", "outcomes", "clinicians", "account", "mfa")


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS
    }


@pytest.fixture
def debug_on(settings):
    settings.DEBUG = True


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.mark.usefixtures("debug_on")
def test_seed_demo_is_idempotent():
    output = seed()
    first = row_counts()
    seed()
    assert row_counts() == first
    for email in ("admin@demo.test", "clinician@demo.test", "patient@demo.test"):
        assert email in output
    assert DEMO_PASSWORD in output


@pytest.mark.usefixtures("debug_on")
def test_demo_people_can_sign_in_with_the_printed_password():
    seed()
    people = {u.email: u for u in User.objects.filter(email__endswith="@demo.test")}
    assert people["admin@demo.test"].role == User.Role.ADMIN
    assert people["clinician@demo.test"].role == User.Role.CLINICIAN
    assert people["patient@demo.test"].role == User.Role.PATIENT
    for user in people.values():
        assert user.check_password(DEMO_PASSWORD)
    # Staff have their authenticator already, so the MFA gate does not stop a demo.
    for email in DEMO_TOTP_SECRETS:
        assert Authenticator.objects.filter(user=people[email], type="totp").exists()
    assert people["patient@demo.test"].clinic == people["clinician@demo.test"].clinic


def test_seed_demo_refuses_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        seed()
    assert not User.objects.filter(email__endswith="@demo.test").exists()


@pytest.mark.usefixtures("debug_on")
def test_demo_totp_prints_the_current_code():
    seed()
    # Stay clear of a 30-second boundary: the command, this test and allauth each read the clock.
    if 30 - time.time() % 30 < 5:
        time.sleep(30 - time.time() % 30 + 0.2)
    out, err = StringIO(), StringIO()
    call_command("demo_totp", "clinician@demo.test", stdout=out, stderr=err)
    code = out.getvalue().strip()
    assert re.fullmatch(r"\d{6}", code)
    assert code == totp_code(DEMO_TOTP_SECRETS["clinician@demo.test"])
    auth = Authenticator.objects.get(user__email="clinician@demo.test", type="totp")
    assert TOTP(auth).validate_code(code)


@pytest.mark.usefixtures("debug_on")
def test_demo_totp_explains_unknown_accounts_and_patients():
    seed()
    with pytest.raises(CommandError, match="No account"):
        call_command("demo_totp", "nobody@demo.test", stdout=StringIO())
    with pytest.raises(CommandError, match="no authenticator"):
        call_command("demo_totp", "patient@demo.test", stdout=StringIO())


def test_demo_totp_refuses_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo_totp", "clinician@demo.test", stdout=StringIO())


# --- Each app's part of the demo comes from the registry its AppConfig fills -----------


@pytest.fixture
def seeder_registry():
    """The registry as the apps left it, restored after a test changes it."""
    from recovery import demo

    saved = dict(demo._seeders)
    yield demo
    demo._seeders.clear()
    demo._seeders.update(saved)


def test_the_feature_apps_register_their_seeders_in_order():
    from clinicians import demo_caseload, demo_intake
    from journaling import demo as journaling_demo
    from outcomes import demo as outcomes_demo
    from programs import demo as programs_demo
    from recovery.demo import seeders

    assert seeders() == [
        ("programs", programs_demo.seed),
        ("journaling", journaling_demo.seed),
        ("outcomes", outcomes_demo.seed),
        ("clinicians-intake", demo_intake.seed),
        ("clinicians-caseload", demo_caseload.seed),
    ]


@pytest.mark.usefixtures("debug_on")
def test_seed_demo_runs_each_seeder_once_in_order(seeder_registry):
    calls: list[tuple[str, str]] = []
    seeder_registry._seeders.clear()
    # Registered out of order on purpose: `order` decides, not registration time.
    seeder_registry.register_seeder("late", 30, lambda people: calls.append(("late", people.patient.email)))
    seeder_registry.register_seeder("early", 5, lambda people: calls.append(("early", people.patient.email)))
    output = seed()
    assert calls == [("early", "patient@demo.test"), ("late", "patient@demo.test")]
    assert "patient@demo.test" in output


@pytest.mark.usefixtures("debug_on")
def test_a_failing_seeder_fails_loudly_and_leaves_nothing_half_made(seeder_registry):
    def broken(people):
        raise ImportError("No module named 'outcomes.missing'")

    seeder_registry.register_seeder("broken", 99, broken)
    with pytest.raises(ImportError, match="outcomes.missing"):
        seed()
    assert not User.objects.filter(email__endswith="@demo.test").exists()


def test_a_seeder_name_or_order_clash_fails_loudly(seeder_registry):
    def one(people):
        return None

    seeder_registry.register_seeder("one", 50, one)
    seeder_registry.register_seeder("one", 50, one)  # the same again: harmless
    with pytest.raises(ValueError, match="already registered"):
        seeder_registry.register_seeder("one", 51, one)
    with pytest.raises(ValueError, match="taken by 'one'"):
        seeder_registry.register_seeder("two", 50, one)
