"""The questionnaire schedule is edited inline on the programme version's admin page, and is
read-only once the version is published."""

from __future__ import annotations

import pytest
from django.urls import reverse

from outcomes.models import QuestionnaireSchedule
from programs import versions
from programs.yaml_io import CURRICULA_DIR, import_curriculum
from tests.conftest import client_for
from tests.factories import AdminFactory
from tests.programs.test_admin import form_data

pytestmark = pytest.mark.django_db


def test_an_admin_edits_a_drafts_schedule_inline_and_sees_a_published_one_read_only():
    client = client_for(AdminFactory())
    published = import_curriculum(CURRICULA_DIR / "home-programme.yaml")
    page = client.get(reverse("admin:programs_programversion_change", args=[published.pk]))
    assert "Questionnaire schedule" in page.content.decode()
    assert 'name="questionnaire_schedules-0-window_days"' not in page.content.decode()

    draft = versions.new_draft_from(published)
    change = reverse("admin:programs_programversion_change", args=[draft.pk])
    page = client.get(change)
    data = form_data(page)
    assert data["questionnaire_schedules-TOTAL_FORMS"] == str(draft.questionnaire_schedules.count())
    data["questionnaire_schedules-0-window_days"] = "10"
    response = client.post(change, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert QuestionnaireSchedule.objects.filter(version=draft, window_days=10).count() == 1


def test_each_input_of_the_schedule_table_is_named_after_its_column():
    """A table's column header does not name the inputs under it (axe "label", WCAG 4.1.2):
    each one carries its column's name, the delete box and the blank row's included."""
    import re

    client = client_for(AdminFactory())
    draft = versions.new_draft_from(import_curriculum(CURRICULA_DIR / "home-programme.yaml"))
    html = client.get(reverse("admin:programs_programversion_change", args=[draft.pk])).content.decode()
    inputs = re.findall(r'<(?:input|select)[^>]*name="questionnaire_schedules-(?:\d+|__prefix__)-'
                        r'(?!id"|version")\w+"[^>]*>', html)
    assert inputs
    for tag in inputs:
        assert "aria-label=" in tag, tag
    named = {}
    for tag in inputs:
        field = re.search(r'name="questionnaire_schedules-0-(\w+)"', tag)
        label = re.search(r'aria-label="([^"]+)"', tag)
        if field and label:
            named[field[1]] = label[1]
    assert named["window_days"] == "Window days"
    assert named["instrument"] == "Instrument"
    assert named["DELETE"] == "Delete"
