"""Encryption at rest (issue 11, item 7): what a patient writes, visit notes and TOTP secrets are
Fernet tokens in the database (read back with raw SQL, on SQLite here and on PostgreSQL in CI),
a key rotation keeps every row readable, and production refuses to run without keys."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, hotp_value
from allauth.mfa.utils import decrypt as mfa_decrypt
from cryptography.fernet import Fernet, InvalidToken
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from clinicians.models_visits import FollowUpVisit
from journaling import stressors
from journaling.models import CheckIn, ExerciseCompletion, JournalEntry, StressorItem
from programs.models import ExerciseTemplate
from recovery import crypto
from recovery.checks import check_field_encryption_keys, field_keys_problem
from tests.factories import (
    TEST_TOTP_SECRET,
    ClinicianFactory,
    PatientFactory,
    enrol,
    published_version,
)
from tests.recovery.test_settings import BASE_DIR, run_python

SECRET = "Zebra-7731 my father's anger"  # a marker no token can contain
KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()

# (table, column, how the row is found): every encrypted column of the project.
COLUMNS = [
    ("journaling_checkin", "note"),
    ("journaling_exercisecompletion", "note"),
    ("journaling_journalentry", "title"),
    ("journaling_journalentry", "recipient"),
    ("journaling_journalentry", "body"),
    ("journaling_journalentry", "data"),
    ("journaling_journalentry", "unsaved_edits"),
    ("journaling_stressoritem", "text"),
    ("clinicians_followupvisit", "summary"),
    ("clinicians_followupvisit", "discussed"),
    ("clinicians_followupvisit", "plan"),
]


def raw(table: str, column: str) -> list:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "{column}" FROM "{table}"')  # noqa: S608 (our own names)
        return [row[0] for row in cursor.fetchall()]


def write_everything(words: str = SECRET) -> dict:
    """One row of every model that encrypts, each field holding `words`."""
    patient = PatientFactory()
    doc = ClinicianFactory()
    version = published_version(slug=f"v{patient.pk}")
    enrolment = enrol(patient, doc, version)
    today = dt.date(2026, 11, 2)
    checkin = CheckIn.objects.create(patient=patient, local_date=today, pain=3, note=words)
    completion = ExerciseCompletion.objects.create(
        patient=patient, enrolment=enrolment, local_date=today, note=words,
        exercise=ExerciseTemplate.objects.get(version=version),
    )
    entry = JournalEntry.objects.create(
        patient=patient, local_date=today, kind=JournalEntry.Kind.SYMPTOM_EMOTION,
        title=words, recipient=words, body=words,
        data={"flare": True, "feelings": words, "emotions": ["anger"], "intensity": 7},
        unsaved_edits={"body": words},
    )
    item, _ = stressors.add_stressor(patient, "current", words)
    visit = FollowUpVisit.objects.create(
        patient=patient, clinician=doc, scheduled_for=timezone.now(),
        summary=words, discussed=words, plan=words,
    )
    return {"patient": patient, "doc": doc, "checkin": checkin, "completion": completion,
            "entry": entry, "item": item, "visit": visit}


def assert_reads_back(rows: dict, words: str = SECRET) -> None:
    assert CheckIn.objects.get(pk=rows["checkin"].pk).note == words
    assert ExerciseCompletion.objects.get(pk=rows["completion"].pk).note == words
    entry = JournalEntry.objects.get(pk=rows["entry"].pk)
    assert (entry.title, entry.recipient, entry.body) == (words, words, words)
    assert entry.data == {"flare": True, "feelings": words, "emotions": ["anger"], "intensity": 7}
    assert entry.unsaved_edits == {"body": words}
    assert StressorItem.objects.get(pk=rows["item"].pk).text == words
    visit = FollowUpVisit.objects.get(pk=rows["visit"].pk)
    assert (visit.summary, visit.discussed, visit.plan) == (words, words, words)


def totp_works(user) -> bool:
    """allauth (through our MFA adapter) reads back the secret the user's app was given."""
    auth = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    return mfa_decrypt(auth.data["secret"]) == TEST_TOTP_SECRET


@pytest.mark.django_db
def test_the_database_holds_tokens_not_words():
    rows = write_everything()
    for table, column in COLUMNS:
        values = raw(table, column)
        assert values, (table, column)
        for value in values:
            text = value if isinstance(value, str) else json.dumps(value)
            assert SECRET not in text and "Zebra" not in text, (table, column)
            assert text.startswith("gAAAAA"), (table, column)  # a Fernet token
    secrets = [a["secret"] for a in raw_authenticator_data() if "secret" in a]
    assert secrets and TEST_TOTP_SECRET not in secrets
    assert_reads_back(rows)
    assert totp_works(rows["doc"])
    # ...and a code from the authenticator app signs in.
    auth = Authenticator.objects.get(user=rows["doc"], type=Authenticator.Type.TOTP)
    counter = int(timezone.now().timestamp()) // 30
    assert TOTP(auth).validate_code(f"{hotp_value(TEST_TOTP_SECRET, counter):06d}")


def as_json(value):
    # A JSON column reads as text on SQLite, as data on PostgreSQL.
    return json.loads(value) if isinstance(value, str) else value


def raw_authenticator_data() -> list[dict]:
    return [as_json(v) for v in raw("mfa_authenticator", "data")]


@pytest.mark.django_db
def test_scores_dates_and_kinds_stay_plain_and_queryable():
    rows = write_everything()
    assert raw("journaling_checkin", "pain") == [3]
    assert raw("journaling_journalentry", "kind") == ["symptom_emotion"]
    assert raw("journaling_journalentry", "visibility") == ["private"]
    assert CheckIn.objects.filter(pain__gte=3, local_date__year=2026).get() == rows["checkin"]


@pytest.mark.django_db
def test_empty_text_stays_empty_so_released_entries_keep_no_text(patient):
    entry = JournalEntry.objects.create(
        patient=patient, local_date=dt.date(2026, 11, 2), visibility="released"
    )
    assert raw("journaling_journalentry", "body") == [""]
    assert JournalEntry.objects.filter(body="", recipient="").get() == entry


@pytest.mark.django_db
def test_sql_on_an_encrypted_column_fails_loudly_instead_of_matching_nothing(patient):
    for lookup in ("body__icontains", "title__startswith", "note__contains"):
        model = CheckIn if lookup.startswith("note") else JournalEntry
        with pytest.raises(FieldError):
            list(model.objects.filter(**{lookup: "pain"}))
    with pytest.raises(FieldError, match="encrypted"):
        list(JournalEntry.objects.filter(body="some words"))


@pytest.mark.django_db
def test_a_missing_key_is_an_error_not_garbage(settings):
    rows = write_everything()
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]
    with pytest.raises(crypto.DecryptionError, match="FIELD_ENCRYPTION_KEYS"):
        JournalEntry.objects.get(pk=rows["entry"].pk)


@pytest.mark.django_db
def test_key_rotation_old_key_reads_new_key_writes_then_old_key_retires(settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    old = write_everything()

    # B in front: every row written with A still reads; new writes use B.
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    assert_reads_back(old)
    assert totp_works(old["doc"])
    new = write_everything("Second letter, after the rotation")
    token = raw("journaling_journalentry", "body")[-1]
    assert Fernet(KEY_B.encode()).decrypt(token.encode()).decode().startswith("Second letter")
    with pytest.raises(InvalidToken):
        Fernet(KEY_A.encode()).decrypt(token.encode())
    # The same line under either key is one stressor (the blind index is looked up under both).
    assert stressors.add_stressor(old["patient"], "current", SECRET.upper())[1] is False

    out = StringIO()
    call_command("rotate_field_keys", "--batch", "2", stdout=out)
    assert "Done" in out.getvalue()

    # Only B left: everything reads, the TOTP secret works, duplicates are still found.
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]
    assert_reads_back(old)
    assert_reads_back(new, "Second letter, after the rotation")
    assert totp_works(old["doc"]) and totp_works(new["doc"])
    assert stressors.add_stressor(old["patient"], "current", SECRET)[1] is False
    for table, column in COLUMNS:
        for value in raw(table, column):
            text = value if isinstance(value, str) else json.dumps(value)
            Fernet(KEY_B.encode()).decrypt(text.encode())  # raises if A still wrote one

    # Idempotent: a second run has nothing left to do.
    out = StringIO()
    call_command("rotate_field_keys", stdout=out)
    assert "Done: 0 value(s)" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_the_migrations_encrypt_existing_rows_and_decrypt_them_back():
    rows = write_everything()
    targets = [("journaling", "0004_journal_unsaved_edits_and_unique_stressors"),
               ("clinicians", "0003_follow_up_visits"),
               ("recovery", "0009_clinic_admins_are_not_superusers")]
    latest = [("journaling", "0007_stressor_line_unique_by_index"),
              ("clinicians", "0005_encrypt_existing_visit_notes"),
              ("recovery", "0010_encrypt_mfa_secrets")]
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(targets)
        # Back before encryption: the columns hold the words in clear.
        assert SECRET in raw("journaling_journalentry", "body")
        assert SECRET in raw("clinicians_followupvisit", "plan")
        assert as_json(raw("journaling_journalentry", "data")[0])["feelings"] == SECRET
        assert TEST_TOTP_SECRET in [a.get("secret") for a in raw_authenticator_data()]
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(latest)
    for table, column in COLUMNS:
        assert all(SECRET not in str(v) for v in raw(table, column)), (table, column)
    assert_reads_back(rows)
    assert totp_works(rows["doc"])
    assert stressors.add_stressor(rows["patient"], "current", SECRET.lower())[1] is False


def test_key_problems_are_named():
    assert field_keys_problem([]) is not None
    assert "key 2" in (field_keys_problem([KEY_A, "not-a-key"]) or "")
    assert field_keys_problem([KEY_A, KEY_B]) is None


def test_the_system_check_refuses_missing_keys(settings):
    settings.FIELD_ENCRYPTION_KEYS = []
    assert [e.id for e in check_field_encryption_keys()] == ["recovery.E002"]
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    assert check_field_encryption_keys() == []


def test_development_derives_a_key_so_make_run_needs_nothing(tmp_path: Path):
    result = run_python(
        tmp_path,
        ["-c", "import django; django.setup(); from django.conf import settings as s; "
               "print(','.join(s.FIELD_ENCRYPTION_KEYS))"],
        DEBUG="1",
    )
    assert result.returncode == 0, result.stderr
    keys = result.stdout.strip().splitlines()[-1].split(",")
    assert len(keys) == 1 and field_keys_problem(keys) is None


def test_production_without_keys_fails_check_deploy(tmp_path: Path):
    import secrets

    result = run_python(
        tmp_path, ["manage.py", "check", "--deploy"],
        ENV_FILE=str(BASE_DIR / ".env.production.example"),
        SECRET_KEY=secrets.token_urlsafe(50),
    )
    assert result.returncode != 0
    assert "recovery.E002" in result.stdout + result.stderr


def test_the_production_example_holds_no_key():
    values = dict(
        line.split("=", 1)
        for line in (BASE_DIR / ".env.production.example").read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert values["FIELD_ENCRYPTION_KEYS"] == ""
