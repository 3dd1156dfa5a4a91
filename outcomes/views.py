"""The patient answers a questionnaire: one screen per instrument, a draft kept if they leave
half-way (saved on every change with htmx, or with "Save and finish later" without it), and an
idempotent submission whose answer page shows the clinic's crisis resources at once when the
safety item is raised (outcomes.services opens the alert in the same request)."""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from recovery.decorators import patient_required
from recovery.http import AuthedHttpRequest

from . import services
from .models import Instrument, InstrumentVersion, QuestionnaireResponse


@dataclass
class Question:
    name: str  # the form field: item-N or extra-KEY
    text: str
    options: list[dict[str, Any]]
    value: int | None
    error: str = ""

    @property
    def numeric(self) -> bool:
        """A 0-10 scale: numbers as buttons, the anchors written under them."""
        return any(not option["label"] for option in self.options)


def _current(code: str) -> InstrumentVersion:
    instrument = Instrument.objects.filter(code=code).first()
    version = instrument.current_version() if instrument else None
    if version is None:
        raise Http404("No such questionnaire")
    return version


def _parse(raw: str | None) -> int | None | str:
    """An answer from the form: an int, None for no answer, or the raw text when it is junk."""
    if raw is None or raw == "":
        return None
    try:
        return int(raw)
    except ValueError:
        return raw


def _posted(request: AuthedHttpRequest, version: InstrumentVersion) -> tuple[list[Any], dict[str, Any]]:
    answers = [_parse(request.POST.get(f"item-{n}")) for n in range(1, len(version.items) + 1)]
    extra = {q["key"]: _parse(request.POST.get(f"extra-{q['key']}")) for q in version.extra_questions}
    return answers, extra


def _questions(
    version: InstrumentVersion, answers: list[Any], extra: dict[str, Any], errors: dict[str, str]
) -> list[Question]:
    out = [
        Question(f"item-{n}", item["text"], item["options"], answers[n - 1] if n <= len(answers) else None)
        for n, item in enumerate(version.items, start=1)
    ]
    out += [
        Question(f"extra-{q['key']}", q["text"], q["options"], extra.get(q["key"]))
        for q in version.extra_questions
    ]
    for question in out:
        question.error = errors.get(question.name, "")
    return out


def _client_id(raw: str | None) -> uuid.UUID:
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        return uuid.uuid4()


def _page(
    request: AuthedHttpRequest, version: InstrumentVersion, answers: list[Any],
    extra: dict[str, Any], client_id: uuid.UUID, errors: dict[str, str] | None = None,
    draft: QuestionnaireResponse | None = None, status: int = 200,
) -> HttpResponse:
    errors = dict(errors or {})
    context = {
        "form_error": errors.pop("__all__", ""),
        "version": version,
        "questions": _questions(version, answers, extra, errors),
        "client_id": client_id,
        "errors": errors,
        "draft": draft,
    }
    return render(request, "outcomes/answer.html", context, status=status)


def _messages(exc: ValidationError) -> dict[str, str]:
    if hasattr(exc, "error_dict"):
        return {key: " ".join(msgs) for key, msgs in exc.message_dict.items()}
    return {"__all__": " ".join(exc.messages)}


@patient_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def answer(request: AuthedHttpRequest, code: str) -> HttpResponse:
    version = _current(code)
    if request.method == "GET":
        draft = services.draft_for(request.user, version)
        answers = draft.answers if draft else [None] * len(version.items)
        extra = draft.extra_answers if draft else {}
        return _page(request, version, answers, extra, uuid.uuid4(), draft=draft)

    answers, extra = _posted(request, version)
    client_id = _client_id(request.POST.get("client_id"))
    junk = {f"item-{n}" for n, a in enumerate(answers, start=1) if isinstance(a, str)}
    junk |= {f"extra-{k}" for k, a in extra.items() if isinstance(a, str)}
    if junk:
        # Keep what can be kept; the junk answers show as unanswered, with a message.
        answers = [None if isinstance(a, str) else a for a in answers]
        extra = {k: None if isinstance(a, str) else a for k, a in extra.items()}
        errors = {name: "Choose one of the answers shown." for name in junk}
        return _page(request, version, answers, extra, client_id, errors, status=400)
    today = request.user.local_today()
    if request.POST.get("action") == "draft":
        try:
            draft = services.save_draft(request.user, version, answers, extra, today)
        except ValidationError as exc:
            return _page(request, version, answers, extra, client_id, _messages(exc), status=400)
        if request.htmx:
            return render(request, "outcomes/_draft_status.html", {"draft": draft})
        return _page(request, version, answers, extra, client_id, draft=draft)
    try:
        submission = services.submit(request.user, version, answers, extra, today, client_id)
    except ValidationError as exc:
        # Nothing is lost: the answers given so far are kept as the draft, and shown again.
        draft = None
        with contextlib.suppress(ValidationError):
            draft = services.save_draft(request.user, version, answers, extra, today)
        return _page(request, version, answers, extra, client_id, _messages(exc), draft, 400)
    context = {"version": version, "response": submission.response, "clinic": request.user.clinic}
    return render(request, "outcomes/done.html", context)
