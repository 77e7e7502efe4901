"""``python -m district.alerts evaluate|digest``: the periodic jobs (idempotent; run from any worker or a timer)."""

from __future__ import annotations

import sys
import time

from district.alerts.digest import send_digests
from district.alerts.service import evaluate
from district.db import make_engine, make_sessionmaker, transaction
from district.settings import get_settings
from district.web.settings import get_web_settings


def main(argv: list[str]) -> int:
    """Run ``evaluate`` or ``digest`` against ``DISTRICT_DATABASE_URL``."""
    if len(argv) != 1 or argv[0] not in ("evaluate", "digest"):
        print("usage: python -m district.alerts evaluate|digest", file=sys.stderr)
        return 2
    sessions = make_sessionmaker(make_engine(get_settings().database_url))
    web = get_web_settings()
    if argv[0] == "evaluate":
        with transaction(sessions) as session:
            result = evaluate(session, now=time.time(), settings=web)
        print(f"opened {result.opened}, ended {result.ended}, open {result.open_now}")
    else:
        print("sent: " + ", ".join(send_digests(sessions, now=time.time(), settings=web)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
