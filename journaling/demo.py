"""Nine days of realistic history for the demo patient: check-ins with a falling pain trend,
completed exercises, entries of every privacy level and one flare. Idempotent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from programs.models import Enrolment
from programs.schedule import plan_for, prefetch_for_plan

from .models import CheckIn, ExerciseCompletion, JournalEntry, StressorItem
from .stressors import add_stressor

PAIN = [7, 7, 6, 6, 5, 5, 4, 4, 3]
STRESS = [8, 7, 7, 6, 6, 5, 5, 4, 4]
MOOD = [3, 4, 4, 5, 5, 6, 6, 7, 7]
NOTES = [
    "Back very stiff this morning. Hard to sit at work.",
    "Slept badly. Pain worse after the meeting with my manager.",
    "",
    "Noticed the pain eased while I was writing.",
    "A good walk with the dog.",
    "",
    "Flare after the phone call with my mother, settled within the hour.",
    "Less fear about bending.",
    "",
]

ENTRIES: list[dict[str, Any]] = [
    {
        "day": 1,
        "kind": JournalEntry.Kind.FREE_WRITING,
        "visibility": JournalEntry.Visibility.PRIVATE,
        "title": "What has been building up",
        "body": "Work has been relentless. I say yes to everything and then lie awake going over "
        "what I did not finish. I am angry that nobody notices how much I carry.",
        "minutes": 20,
    },
    {
        "day": 3,
        "kind": JournalEntry.Kind.UNSENT_LETTER,
        "visibility": JournalEntry.Visibility.CARE_TEAM,
        "title": "To my father",
        "recipient": "My father",
        "body": "Dad, I was never allowed to be angry in our house. I learned to be good, to be "
        "quiet, to be useful. I am writing this because I am tired of being good.",
        "minutes": 25,
    },
    {
        "day": 5,
        "kind": JournalEntry.Kind.AFFIRMATION,
        "visibility": JournalEntry.Visibility.PRIVATE,
        "title": "",
        "body": "My body is strong and healthy. The pain is real, and it is not damage. "
        "I am safe to move.",
        "minutes": 5,
    },
    {
        "day": 6,
        "kind": JournalEntry.Kind.FREE_WRITING,
        "visibility": JournalEntry.Visibility.RELEASED,
        "title": "",
        "body": "",
        "minutes": 15,
    },
    {
        "day": 7,
        "kind": JournalEntry.Kind.SYMPTOM_EMOTION,
        "visibility": JournalEntry.Visibility.CARE_TEAM,
        "title": "Flare after the phone call",
        "body": "",
        "minutes": 10,
        "data": {
            "when": "18:10",
            "where": "Lower back, right side",
            "intensity": 7,
            "happening": "My mother called to say I should visit more often.",
            "emotions": ["guilt", "anger", "not_good_enough"],
            "thoughts": "I can never do enough for her. Then my back seized up.",
            "flare": True,
        },
    },
]

STRESSORS = [
    (StressorItem.Category.CHILDHOOD, "Strict father; anger was not allowed at home"),
    (StressorItem.Category.PERSONALITY, "Perfectionism at work"),
    (StressorItem.Category.PERSONALITY, "“Goodism”: I say yes to everyone"),
    (StressorItem.Category.CURRENT, "New manager, long hours"),
    (StressorItem.Category.AGEING, "Turning 50; my parents getting frail"),
]


def seed(people: Any) -> None:
    patient = people.patient
    enrolment = (
        prefetch_for_plan(Enrolment.objects.filter(patient=patient, status="active"))
        .order_by("start_date")
        .first()
    )
    today = patient.local_today()
    start = enrolment.start_date if enrolment else today - dt.timedelta(days=9)
    days = [start + dt.timedelta(days=i) for i in range(9)]
    for i, day in enumerate(days):
        if day >= today:
            break
        CheckIn.objects.get_or_create(
            patient=patient,
            local_date=day,
            defaults={"pain": PAIN[i], "stress": STRESS[i], "mood": MOOD[i], "note": NOTES[i]},
        )
        if enrolment is None or i == 4:  # one day missed, as real patients do
            continue
        for ex in plan_for(enrolment, day).exercises:
            ExerciseCompletion.objects.get_or_create(
                patient=patient,
                exercise=ex,
                local_date=day,
                defaults={"enrolment": enrolment, "minutes": ex.estimated_minutes},
            )
    for spec in ENTRIES:
        day = days[spec["day"] - 1]
        # Titles are encrypted at rest: compared here, not in SQL.
        same_day = JournalEntry.objects.filter(patient=patient, local_date=day, kind=spec["kind"])
        if any(e.title == spec["title"] for e in same_day.only("pk", "title")):
            continue
        shared = spec["visibility"] == JournalEntry.Visibility.CARE_TEAM
        JournalEntry.objects.create(
            patient=patient,
            local_date=day,
            kind=spec["kind"],
            title=spec["title"],
            recipient=spec.get("recipient", ""),
            body=spec["body"],
            data=spec.get("data", {}),
            visibility=spec["visibility"],
            status=JournalEntry.Status.SAVED,
            minutes=spec["minutes"],
            shared_at=timezone.now() if shared else None,
        )
    for category, text in STRESSORS:
        add_stressor(patient, category, text, local_date=days[1])
