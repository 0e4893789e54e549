"""Peer for the cron benchmark: Python croniter over the same expressions and year.

Run: python3 benches/croniter_peer.py   (pip install croniter)
Prints one line per expression: occurrences, seconds, occurrences per second.
"""
import time
from datetime import datetime

from croniter import croniter
from zoneinfo import ZoneInfo

EXPRESSIONS = ["*/5 * * * *", "0 7 * * *", "0 1 * * TUE", "0 0 13 * FRI", "30 2 * * *", "0 9 1-7 * MON"]
ZONE = ZoneInfo("Asia/Shanghai")
START = datetime(2027, 1, 1, tzinfo=ZONE)
END = datetime(2028, 1, 1, tzinfo=ZONE)

for expr in EXPRESSIONS:
    it = croniter(expr, START)
    n = 0
    t0 = time.perf_counter()
    while True:
        nxt = it.get_next(datetime)
        if nxt >= END:
            break
        n += 1
    dt = time.perf_counter() - t0
    print(f"{expr:<16} {n:>7} occurrences {dt:8.4f} s {n / dt:12.0f} /s")
