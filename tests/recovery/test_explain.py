"""Every query the daily pages and the clinic dashboard make is served by an index (PostgreSQL).

A clinic's worth of patient data (a year of history for one patient, copied to 40 others: a
few thousand rows in each patient-data table), ANALYZEd; then the SQL each page really runs is
captured and EXPLAINed. A sequential scan of a patient-data table fails the test: at clinic
scale it reads every patient's rows to show one patient's.

The planner may still prefer a sequential scan of a table that is small *today* even when an
index would serve; so each query is planned a second time with `enable_seqscan = off` (which
makes a sequential scan the last resort) and only a scan that remains, i.e. a query no index
can serve, fails. The first plan is kept in the failure message.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.data import year_of_history
from journaling.models import CheckIn, ExerciseCompletion, JournalEntry
from outcomes.definitions import import_directory
from outcomes.models import QuestionnaireResponse
from recovery.models import AuditEvent
from recovery.notifications.models import Notification, ReminderLedger
from tests.conftest import client_for
from tests.factories import PatientFactory
from tests.journaling.test_history import make_version

PATIENT_TABLES = {
    model._meta.db_table
    for model in (
        JournalEntry, ExerciseCompletion, CheckIn, QuestionnaireResponse, AuditEvent,
        ReminderLedger, Notification,
    )
}
OTHER_PATIENTS = 40

pytestmark = pytest.mark.django_db


@pytest.fixture
def postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("EXPLAIN plans are PostgreSQL's; DATABASE_URL is not a PostgreSQL one")


def _copy_to(model: type, owner: str, source: int, targets: list[int], skip: tuple[str, ...] = ()) -> None:
    """Copy `source`'s rows of `model` to each of `targets` in one INSERT ... SELECT."""
    meta = model._meta  # type: ignore[attr-defined]
    owner_col = meta.get_field(owner).column
    cols = [f.column for f in meta.local_concrete_fields if not f.primary_key and f.column not in skip]
    values = [
        "t.id" if c == owner_col else ("gen_random_uuid()" if c == "client_id" else f"s.{c}")
        for c in cols
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {meta.db_table} ({', '.join(cols)}) SELECT {', '.join(values)} "  # noqa: S608
            f"FROM {meta.db_table} s CROSS JOIN unnest(%s::bigint[]) AS t(id) "
            f"WHERE s.{owner_col} = %s",
            [targets, source],
        )


def _year_patient_extras(patient, clinician) -> None:
    """Questionnaire answers, audit events and reminders for one patient over a year."""
    versions = [result.version for _, result in import_directory()]
    today = patient.local_today()
    now = timezone.now()
    QuestionnaireResponse.objects.bulk_create(
        QuestionnaireResponse(
            patient=patient, version=versions[w % len(versions)],
            local_date=today - dt.timedelta(weeks=w), status="submitted", score=5, valid=True,
            submitted_at=now, client_id=uuid.uuid4(),
        )
        for w in range(52)
    )
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=clinician, patient=patient, clinic=patient.clinic, action="view_patient",
            at=now - dt.timedelta(hours=h),
        )
        for h in range(300)
    )
    ledger = ReminderLedger.objects.bulk_create(
        ReminderLedger(
            recipient=patient, kind="daily_practice", slot=f"{today - dt.timedelta(days=d)}",
            due_at=now - dt.timedelta(days=d), status="sent",
        )
        for d in range(300)
    )
    Notification.objects.bulk_create(
        Notification(recipient=patient, ledger=row, title="Time for today's practice")
        for row in ledger[:100]
    )


@pytest.fixture
def clinic_data(postgresql, clinician) -> Iterator[object]:
    programmes = [
        make_version(weeks=3, slug="home").program,
        make_version(weeks=2, slug="group", group_session=True).program,
    ]
    patient = PatientFactory(email="a-year@example.test", time_zone="Europe/Berlin")
    year_of_history(patient, clinician, 365, programmes)
    _year_patient_extras(patient, clinician)
    others = [
        PatientFactory(email=f"other-{n}@example.test").pk for n in range(OTHER_PATIENTS)
    ]
    for model, owner in (
        (CheckIn, "patient"), (ExerciseCompletion, "patient"), (JournalEntry, "patient"),
        (QuestionnaireResponse, "patient"), (AuditEvent, "patient"),
        (ReminderLedger, "recipient"),
    ):
        _copy_to(model, owner, patient.pk, others)
    _copy_to(Notification, "recipient", patient.pk, others, skip=("ledger_id",))
    with connection.cursor() as cursor:
        for table in PATIENT_TABLES:
            cursor.execute(f"ANALYZE {table}")
    yield patient


def _seq_scans(plan: object) -> list[str]:
    found = []
    if isinstance(plan, dict):
        if plan.get("Node Type") == "Seq Scan" and plan.get("Relation Name") in PATIENT_TABLES:
            found.append(plan["Relation Name"])
        for value in plan.values():
            found += _seq_scans(value)
    elif isinstance(plan, list):
        for value in plan:
            found += _seq_scans(value)
    return found


def _explain(sql: str) -> list:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
        plan = cursor.fetchone()[0]
    return plan if isinstance(plan, list) else json.loads(plan)


def _unindexed(captured: list[dict[str, str]]) -> list[str]:
    problems = []
    for query in captured:
        sql = query["sql"]
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        if not _seq_scans(_explain(sql)):
            continue
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
        try:
            if scans := _seq_scans(_explain(sql)):
                problems.append(f"{sorted(set(scans))}: {sql[:600]}")
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_seqscan = on")
    return problems


def _capture(client, requests: list[tuple[str, str, dict[str, str] | None]]) -> list[dict[str, str]]:
    captured: list[dict[str, str]] = []
    for method, url, data in requests:
        with CaptureQueriesContext(connection) as ctx:
            if method == "POST":
                response = client.post(url, data or {}, headers={"HX-Request": "true"})
            else:
                response = client.get(url)
        assert response.status_code == 200, url
        captured += ctx.captured_queries
    return captured


def test_daily_pages_and_the_dashboard_use_indexes(clinic_data, clinician):
    patient = clinic_data
    entry = JournalEntry.objects.filter(patient=patient, visibility="private").first()
    year_ago = patient.local_today() - dt.timedelta(days=330)
    queries = _capture(
        client_for(patient),
        [
            ("GET", "/today/", None),
            ("POST", "/today/check-in/", {"pain": "3", "stress": "4", "mood": "6"}),
            ("GET", "/journal/", None),
            ("GET", "/journal/?q=walk", None),
            ("GET", f"/journal/{entry.pk}/", None),
            ("GET", "/history/", None),
            ("GET", "/history/?days=90", None),
            ("GET", f"/history/?month={year_ago:%Y-%m}", None),
            ("GET", "/my-data/", None),
            ("GET", "/notifications/", None),
        ],
    )
    queries += _capture(
        client_for(clinician),
        [("GET", "/clinic/", None), ("GET", f"/clinic/patients/{patient.pk}/", None)],
    )
    assert len(queries) > 50
    problems = _unindexed(queries)
    assert not problems, "sequential scans of patient data:\n" + "\n\n".join(problems)


def test_the_check_sees_a_query_no_index_serves(clinic_data):
    # The check itself can fail: a filter on an unindexed column of a patient table is caught.
    assert _unindexed([{"sql": "SELECT id FROM journaling_checkin WHERE note = 'tired'"}])
    assert not _unindexed(
        [{"sql": f"SELECT id FROM journaling_checkin WHERE patient_id = {clinic_data.pk}"}]
    )
