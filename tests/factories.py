"""factory-boy factories shared by every test folder."""

from __future__ import annotations

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP

from recovery.models import Clinic, User

PASSWORD = "a-Long-test-passw0rd"
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


class ClinicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clinic
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Clinic {n}")
    slug = factory.Sequence(lambda n: f"clinic-{n}")
    time_zone = "America/New_York"
    crisis_resources = "Call 988 or your local emergency number."


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    role = User.Role.PATIENT
    clinic = factory.LazyFunction(Clinic.default)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj: User, create: bool, extracted: bool | None, **kwargs: object) -> None:
        obj.save()
        if create and extracted is not False:
            EmailAddress.objects.get_or_create(
                user=obj, email=obj.email, defaults={"verified": True, "primary": True}
            )


class PatientFactory(UserFactory):
    role = User.Role.PATIENT

    @factory.post_generation
    def time_zone(obj: User, create: bool, extracted: str | None, **kwargs: object) -> None:
        if create and extracted:
            obj.patient_profile.time_zone = extracted
            obj.patient_profile.save()


class ClinicianFactory(UserFactory):
    role = User.Role.CLINICIAN

    @factory.post_generation
    def totp(obj: User, create: bool, extracted: bool | None, **kwargs: object) -> None:
        # Staff need MFA to reach anything; give them an authenticator unless told not to.
        if create and extracted is not False:
            TOTP.activate(obj, TEST_TOTP_SECRET)


class AdminFactory(ClinicianFactory):
    role = User.Role.ADMIN


def has_totp(user: User) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def published_version(slug: str = "p"):
    """A one-week published programme with one daily writing exercise."""
    from programs.models import ExerciseTemplate, Program, ProgramVersion, Week

    program = Program.objects.create(slug=slug, title="Test programme")
    version = ProgramVersion.objects.create(program=program, number=1)
    Week.objects.create(version=version, number=1, title="One")
    ExerciseTemplate.objects.create(
        version=version, slug="w", kind="expressive_writing", title="Write", instructions="Write",
        weeks=[1],
    )
    version.status = ProgramVersion.Status.PUBLISHED
    version.save()
    return version


def enrol(patient: User, clinician: User, version, start=None):
    import datetime as dt

    from programs.models import Enrolment

    return Enrolment.objects.create(
        patient=patient, clinician=clinician, version=version, start_date=start or dt.date.today()
    )
