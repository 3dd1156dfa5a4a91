"""Profile one patient page in process: time per request, queries, and a pyinstrument tree.

    .venv/bin/python -m bench.profile /history/ [--year] [--post BODY] [--htmx] [-n 20]
    .venv/bin/python -m bench.profile /clinic/ --clinic 1000 [--cold]

The first run fills a SQLite database under DATA_DIR (default /tmp/recovery-profile) with
the bench's data (the demo and a year of history, no caseloads) and keeps it, so later runs
start at once. `--clinic N` signs in instead as the bench's clinician with a caseload of N
patients (with MFA, through a session made as bench.pages makes them); caseloads take a while
to build, so they get their own database (default /tmp/recovery-profile-clinic, with caseloads
of 10 and 1,000 and a month of history). `--cold` empties the cache before each request
(pages kept by recovery.page_cache are rendered afresh every time); `--touch` gives one
patient of the caseload a new data stamp before each request instead (as a check-in does:
the page is rendered afresh, the other patients' kept rows are reused). Production settings
(bench.settings: DEBUG off). pyinstrument is a dev tool: `pip install pyinstrument` (it is not
a dependency of the app). Not a benchmark: the figures
are in-process, without gunicorn or concurrency; `make bench` is the one to quote.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    parser.add_argument("--year", action="store_true", help="as the year-long patient")
    parser.add_argument("--post", default=None, help="form body: POST instead of GET")
    parser.add_argument("--htmx", action="store_true")
    parser.add_argument("-n", type=int, default=20, help="requests timed")
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--clinic", type=int, default=0, help="as the clinician of N patients")
    parser.add_argument("--cold", action="store_true", help="empty the cache before each request")
    parser.add_argument(
        "--touch", action="store_true",
        help="a new data stamp for one patient of the caseload before each request",
    )
    args = parser.parse_args()

    default_dir = "/tmp/recovery-profile-clinic" if args.clinic else "/tmp/recovery-profile"
    os.environ.setdefault("DATA_DIR", default_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from recovery.models import User

    from .data import cookie_header, csrf_pair, populate, session_cookie

    fresh = "recovery_user" not in connection.introspection.table_names()
    wanted = f"bench-clinician-{args.clinic}@bench.test" if args.clinic else "bench-year@bench.test"
    if fresh or not User.objects.filter(email=wanted).exists():
        if args.clinic:
            populate(30, sorted({10, 1000, args.clinic}))
        else:
            populate(365, [])
    if not (Path(os.environ["DATA_DIR"]) / "staticfiles" / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)
    client = Client()
    if args.clinic:
        # Staff need MFA (the middleware sends them to set it up otherwise): a session made
        # as the bench makes it, signed in after password and TOTP.
        clinician = User.objects.get(email=wanted)
        for pair in cookie_header(session_cookie(clinician), csrf_pair()[0]).split("; "):
            name, value = pair.split("=", 1)
            client.cookies[name] = value
    else:
        user = User.objects.get(email="bench-year@bench.test" if args.year else "patient@demo.test")
        client.force_login(user)
    headers = {"HX-Request": "true"} if args.htmx else {}
    touched = User.objects.filter(email__startswith=f"bench-{args.clinic}-").first()

    def request() -> int:
        if args.cold:
            cache.clear()
        if args.touch and touched is not None:
            from recovery import freshness

            freshness.touch(touched.pk)
        if args.post is not None:
            response = client.post(
                args.path, args.post, content_type="application/x-www-form-urlencoded",
                headers=headers,
            )
        else:
            response = client.get(args.path, headers=headers)
        return response.status_code

    with CaptureQueriesContext(connection) as queries:
        status = request()
    print(f"{args.path} status {status}, {len(queries)} queries")
    if os.environ.get("PROFILE_SQL"):
        for q in queries:
            print("  ", q["sql"][:200])
    started = time.perf_counter()
    for _ in range(args.n):
        request()
    print(f"  {1000 * (time.perf_counter() - started) / args.n:.1f} ms a request (mean of {args.n})")
    if not args.no_profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        with profiler:
            for _ in range(args.n):
                request()
        print(profiler.output_text(unicode=True, color=False, show_all=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
