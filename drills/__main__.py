"""`make drills`: every fault drill, one after the other, each on its own PostgreSQL and Redis.

The first drill migrates and seeds a PostgreSQL cluster and leaves a stopped copy of it (the
template) in a temp dir; the others start their own cluster from a copy of it, so the whole
run migrates once. Static files are collected once too. Each drill prints its details and one
summary line; this prints the summary lines again at the end and exits non-zero if any drill
failed.

    python -m drills                    all of them
    DRILLS=redis_down,backup python -m drills
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ALL = ["redis_down", "pg_restart", "worker_kill", "backup"]
ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    chosen = [d.strip() for d in os.environ.get("DRILLS", ",".join(ALL)).split(",") if d.strip()]
    unknown = set(chosen) - set(ALL)
    if unknown:
        print(f"unknown drills: {sorted(unknown)} (known: {', '.join(ALL)})")
        return 2
    shared = Path(tempfile.mkdtemp(prefix="drills-shared-"))
    env = {**os.environ, "DRILLS_TEMPLATE": str(shared / "template"),
           "STATIC_ROOT": str(shared / "static")}
    started = time.monotonic()
    summaries: list[str] = []
    failed: list[str] = []
    try:
        for name in chosen:
            print(f"== drill {name}", flush=True)
            t = time.monotonic()
            proc = subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", f"drills.{name}"], cwd=ROOT, env=env,
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            assert proc.stdout is not None
            last = ""
            for line in proc.stdout:
                print(line, end="", flush=True)
                if " drill: " in line:
                    last = line.strip()
            code = proc.wait()
            summaries.append(f"{last or name + ' drill: no summary line'} [{time.monotonic() - t:.0f} s]")
            if code != 0:
                failed.append(name)
    finally:
        shutil.rmtree(shared, ignore_errors=True)
    print(f"\n== drills: {len(chosen) - len(failed)} of {len(chosen)} passed in "
          f"{time.monotonic() - started:.0f} s")
    for line in summaries:
        print(f"  {line}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
