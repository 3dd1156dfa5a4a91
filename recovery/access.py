"""The clinic boundary and the patient's own rows: the lowest layer of the access rules.

Two rules live here, because every app (the core included) needs them and they name no feature:
- a member of staff sees only rows of their own clinic (`in_clinic`, and the admin mixin below,
  which every ModelAdmin holding clinic or patient data uses);
- a patient sees only their own rows (`own`, `get_own_or_404`).
Who on the staff may see *which* patient (care teams, cohorts, the shared part of a journal)
builds on these in `clinicians/access.py`, the only place that decides it.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse

from . import audit
from .models import User

M = TypeVar("M", bound=Model)


def in_clinic(qs: QuerySet[M], user: User, lookup: str = "clinic") -> QuerySet[M]:
    """`qs` narrowed to rows of `user`'s clinic; `lookup` is the path from the model to its
    clinic (e.g. "patient__clinic"). Nobody signed in, or without a clinic, sees nothing."""
    if not user.is_authenticated or user.clinic_id is None:
        return qs.none()
    return qs.filter(**{f"{lookup}_id": user.clinic_id})


def own(qs: QuerySet[M], user: User, lookup: str = "patient") -> QuerySet[M]:
    """`qs` narrowed to the rows a patient owns (`lookup` is the path to the owning user)."""
    if not user.is_authenticated:
        return qs.none()
    return qs.filter(**{lookup: user})


def get_own_or_404(qs: QuerySet[M], user: User, lookup: str = "patient", **filters: Any) -> M:
    """One row `user` owns, or 404 (never 403: another person's ids leak nothing)."""
    try:
        return own(qs, user, lookup).get(**filters)
    except (qs.model.DoesNotExist, ValueError, TypeError) as exc:  # type: ignore[attr-defined]
        raise Http404("Not found") from exc


# Who is on a patient's care team is the clinicians app's rule (clinicians.access reads it);
# apps below clinicians that must reach the team (a safety alert's email) ask through this hook,
# which clinicians registers from its AppConfig.ready().
_care_team: list[Any] = []


def register_care_team(resolver: Any) -> None:
    """`resolver(patient) -> QuerySet[User]`: the active clinicians on the patient's team."""
    _care_team[:] = [resolver]


def care_team_of(patient: User) -> QuerySet[User]:
    """The clinicians on `patient`'s care team (nobody if no app answers)."""
    if not _care_team:
        return User.objects.none()
    team: QuerySet[User] = _care_team[0](patient)
    return team


class ClinicScopedMixin:
    """For every ModelAdmin that holds clinic or patient data: lists, change pages, deletes
    and foreign-key choices stay inside the signed-in admin's clinic.

    `clinic_lookup` is the path from the model to its clinic. `user_roles` limits the choices
    of a foreign key to users of some roles, e.g. {"patient": ("patient",)}.
    """

    clinic_lookup: str = "clinic"
    user_roles: dict[str, tuple[str, ...]] = {}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)  # type: ignore[misc]
        return in_clinic(qs, request.user, self.clinic_lookup)  # type: ignore[arg-type]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        scoped = _scoped_choices(db_field, request, self.user_roles)
        if scoped is not None:
            kwargs["queryset"] = scoped
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        scoped = _scoped_choices(db_field, request, self.user_roles)
        if scoped is not None:
            kwargs["queryset"] = scoped
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]


def _scoped_choices(
    db_field: Any, request: HttpRequest, user_roles: dict[str, tuple[str, ...]]
) -> QuerySet[Any] | None:
    """Choices for a relation to users or clinics: the admin's own clinic only."""
    from .models import Clinic

    remote = db_field.remote_field.model
    user: User = request.user  # type: ignore[assignment]
    if remote is User:
        qs = in_clinic(User.objects.all(), user)
        roles = user_roles.get(db_field.name)
        return qs.filter(role__in=roles) if roles else qs
    if remote is Clinic:
        return Clinic.objects.filter(pk=user.clinic_id) if user.is_authenticated else None
    return None


class AuditedAdminMixin:
    """Opening an admin change page about a patient (a GET: what a person reads) appends one
    audit event, `admin_view_<model>`. The patient is the row itself (a patient's account) or
    its `patient` or `user`; rows about no patient are not audited. Put it before the admin
    base class: `class UserAdmin(AuditedAdminMixin, ClinicScopedMixin, BaseUserAdmin)`."""

    audit_action: str = ""  # names the events (admin_view_<this>); the model's name if empty

    def audit_patient(self, obj: Any) -> User | None:
        if isinstance(obj, User):
            return obj if obj.is_patient else None
        for attr in ("patient", "user"):
            person = getattr(obj, attr, None)
            if isinstance(person, User) and person.is_patient:
                return person
        return None

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        if request.method == "GET":
            obj = self.get_object(request, unquote(object_id))  # type: ignore[attr-defined]
            patient = self.audit_patient(obj) if obj is not None else None
            if patient is not None:
                audit.record(
                    request,
                    f"admin_view_{self.audit_action or obj._meta.model_name}",
                    patient=patient,
                    object_id=str(obj.pk),
                )
        return super().change_view(request, object_id, form_url, extra_context)  # type: ignore[misc]


class ClinicScopedAdmin(ClinicScopedMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    pass


class AuditedPatientAdmin(AuditedAdminMixin, ClinicScopedAdmin):
    """A clinic-scoped admin of rows about one patient each (enrolments, screenings, answers,
    alerts): the list (admin_list_<audit_action>) and every opened row are audited."""

    clinic_lookup = "patient__clinic"

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        audit.record(request, f"admin_list_{self.audit_action or self.model._meta.model_name}")
        return super().changelist_view(request, extra_context)
