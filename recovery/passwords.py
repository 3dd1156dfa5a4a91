"""Password rules after NIST SP 800-63B-4 (issue 11, item 6).

- Length is the rule, not composition: 15 characters for a password that is the only factor,
  8 once the account has (or, as staff, must have) a second factor; up to 256 accepted, so
  long passphrases with spaces are welcome.
- A blocklist of common and breached passwords that works offline: Django's 20,000, plus the
  30,000 of zxcvbn's frequency list (a dependency), plus this site's own words.
- No "must contain a digit/symbol" rules and no all-numeric rule (800-63B-4 forbids composition
  rules); the length and the blocklist do that work.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

SINGLE_FACTOR_MIN = 15
MULTI_FACTOR_MIN = 8
MAX_LENGTH = 256


def has_second_factor(user: Any) -> bool:
    """Staff must set up TOTP before anything else (RequireStaffMFAMiddleware), so their
    password is always one of two factors; a patient's is only once they enable TOTP."""
    if user is None:
        return False
    if getattr(user, "needs_mfa", False):
        return True
    if not getattr(user, "pk", None):
        return False
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class PassphraseLengthValidator:
    def __init__(self, single_factor_min: int = SINGLE_FACTOR_MIN,
                 multi_factor_min: int = MULTI_FACTOR_MIN, max_length: int = MAX_LENGTH) -> None:
        self.single_factor_min = single_factor_min
        self.multi_factor_min = multi_factor_min
        self.max_length = max_length

    def minimum_for(self, user: Any) -> int:
        return self.multi_factor_min if has_second_factor(user) else self.single_factor_min

    def validate(self, password: str, user: Any = None) -> None:
        minimum = self.minimum_for(user)
        if len(password) < minimum:
            raise ValidationError(
                _("Use at least %(minimum)s characters. A few ordinary words with spaces "
                      "between them (a passphrase) is easy to remember and hard to guess.") % {"minimum": minimum},
                code="password_too_short",
            )
        if len(password) > self.max_length:
            raise ValidationError(
                _("Use at most %(limit)s characters.") % {"limit": self.max_length}, code="password_too_long"
            )

    def get_help_text(self) -> str:
        return _(
            "At least %(single)s characters (%(multi)s with two-factor authentication). Spaces "
            "and any characters are fine; no other rules."
        ) % {"single": self.single_factor_min, "multi": self.multi_factor_min}


class BreachedPasswordValidator(CommonPasswordValidator):
    """Django's common-password list, widened offline (no network call at sign-up)."""

    def __init__(self, password_list_path: Any = CommonPasswordValidator.DEFAULT_PASSWORD_LIST_PATH) -> None:
        super().__init__(password_list_path)
        self.passwords = set(self.passwords) | extra_common_passwords()

    def validate(self, password: str, user: Any = None) -> None:
        candidate = password.lower().strip()
        squeezed = "".join(candidate.split())
        if (
            candidate in self.passwords
            or squeezed in self.passwords
            or squeezed in site_words()
            or is_repetitive_or_sequential(squeezed)
        ):
            raise ValidationError(
                _("This password is on a list of common or breached passwords. Choose another; "
                "a passphrase of a few unrelated words works well."),
                code="password_too_common",
            )

    def get_help_text(self) -> str:
        return _("It can't be a commonly used or breached password.")


def extra_common_passwords() -> set[str]:
    try:
        from zxcvbn.frequency_lists import FREQUENCY_LISTS  # optional: pip install zxcvbn
    except ImportError:
        return set()
    return {word.lower() for word in FREQUENCY_LISTS.get("passwords", [])}


def site_words() -> set[str]:
    """Context-specific words (800-63B-4: the service's name)."""
    name = settings.SITE_NAME.lower()
    return {"".join(name.split()), "".join(name.split()) + "1", "mindbodyrecovery", "recovery123"}


def is_repetitive_or_sequential(password: str) -> bool:
    """'aaaaaaaa', 'abcabcabc', '123456789012345', '987654321': what 800-63B-4 names besides
    breach corpora ("repetitive or sequential characters")."""
    if not password:
        return True
    for unit in range(1, 5):
        piece = password[:unit]
        if len(password) >= 2 * unit and (piece * (len(password) // unit + 1)).startswith(password):
            return True
    steps = {(ord(b) - ord(a)) % (10 if a.isdigit() and b.isdigit() else 0x110000)
             for a, b in zip(password, password[1:], strict=False)}
    return steps <= {1} or steps <= {9} or steps <= {0x110000 - 1}
