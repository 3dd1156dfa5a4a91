"""The caseload's rows, rendered and kept per patient, so a page rendered afresh (one patient
checked in, another filter, the next quarter hour) rebuilds only the rows whose patient changed.

A row shows one patient's own records only (clinicians.caseload.rows_for and fill_page), so
it is keyed by what can change it: the patient's `data_stamp` (recovery.freshness: new on
every write to their records, name or address) and local date, the reader's language and
clinic (its time zone shows the visit times), the flags' thresholds, the instruments that
can be answered (the questionnaire flag counts no other), the quarter hour
(clinicians.caseload_stamp: the same time rule as the page) and the release
(recovery.page_cache.rendering_key: a deploy with another row template never shows the old
markup); it is kept no longer than the time its follow-up flag would change. Not in the key:
a programme's title (shown with the patient's plan), renamed by an admin now and then, shows
on a kept row within the quarter hour. Who may see the row is decided before: pass 1
(clinicians.caseload.page_of) lists only the reader's patients. The HTML is health data: it
is encrypted before it reaches the cache, as recovery.page_cache does for pages.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from django.core.cache import cache
from django.template.loader import get_template
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from outcomes import schedule
from recovery import crypto, page_cache

from . import caseload, caseload_stamp

TEMPLATE = "clinicians/patients/_caseload_row.html"
_PREFIX = "caseload-row:v1:"


def _key(patient: Any, clinic_id: int, zone: str, time_parts: list[Any]) -> str:
    return page_cache.rendering_key(_PREFIX, [
        patient.pk,
        patient.data_stamp,
        patient.local_day,
        translation.get_language(),
        clinic_id,
        zone,
        time_parts,
    ])


def render(page: caseload.Caseload, clinic_id: int, now: dt.datetime) -> list[SafeString]:
    """The HTML of `page.listed`'s rows, in order: kept ones read in one cache call, the
    others built together (a fixed number of queries) and kept."""
    time_parts = [
        *caseload_stamp.clock(now),  # the same time rule as the page's
        # The questionnaire flag counts only instruments that can be answered now.
        schedule.available_codes(),
    ]
    key_of = {p.pk: _key(p, clinic_id, page.zone.key, time_parts) for p in page.listed}
    keys = list(key_of.values())
    found: dict[str, str] = {}
    for key, token in cache.get_many(keys).items():
        with contextlib.suppress(crypto.DecryptionError):  # a rotated key: built afresh
            found[key] = crypto.decrypt_str(token)
    missing = [p for p in page.listed if key_of[p.pk] not in found]
    if missing:
        rows = caseload.rows_for(missing, now, page.zone)
        caseload.fill_page(rows)
        template = get_template(TEMPLATE)
        for row in rows:
            key = key_of[row.patient.pk]
            found[key] = html = template.render({"row": row, "zone": page.zone})
            # Kept until the quarter hour ends (the key changes then), or until its visit's
            # time passes or enters the "due soon" window, if sooner.
            visit = [row.next_visit_at] if row.next_visit_at else []
            ttl = caseload_stamp.ttl(
                now, caseload_stamp.visit_moments(visit), longest=caseload_stamp.QUARTER_HOUR
            )
            cache.set(key, crypto.encrypt_str(html), ttl)
    # Our own template's output (autoescaped), read back as it was written.
    return [mark_safe(found[key]) for key in keys]  # noqa: S308
