"""Container health probe: GET /healthz from inside the container (slim images have no curl).

/healthz answers 200 only when the database, cache, broker and a recent worker heartbeat are
fine. The request carries a Host that ALLOWED_HOSTS accepts, or Django would answer 400.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request


def allowed_host() -> str:
    for host in os.environ.get("ALLOWED_HOSTS", "").split(","):
        host = host.strip().lstrip(".")
        if host and host != "*":
            return host
    return "localhost"


def main() -> int:
    port = os.environ.get("PORT", "8000")
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/healthz", headers={"Host": allowed_host()}
    )
    try:
        with urllib.request.urlopen(request, timeout=8) as response:  # noqa: S310
            return 0 if response.status == 200 else 1
    except urllib.error.HTTPError as exc:
        print(exc.read().decode(errors="replace")[:500])
        return 1
    except OSError as exc:
        print(exc)
        return 1


if __name__ == "__main__":
    sys.exit(main())
