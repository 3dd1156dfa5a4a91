"""Models of the clinicians app."""

from .models_visits import FollowUpVisit  # noqa: E402,F401  (follow-up visits: their own module)
