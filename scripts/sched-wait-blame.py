#!/usr/bin/env python3
"""Who held the core while the daemon's ingest threads waited for it (issue #15, queries during ingest).

Input: `perf sched timehist -i FILE` output for a `perf sched record -C <daemon core>` taken while the daemon ingests
(e.g. during a `compare` paced-300k or paced-300k+query run). The daemon is the process owning the `segment-writer`
thread; its `ingestd-query-*` threads are the query workers, every other thread of it is "ingest".

For every wake-up of an ingest thread, the time it spent runnable but not running (perf's "sch delay") is split by
who ran on the core meanwhile: the query worker, other ingest threads, or other processes. Also prints how busy the
core was with each, and the distribution of the part of single waits the query worker caused.

    perf sched record -C 0 -o run.perf -- sleep 3
    perf sched timehist -i run.perf > run.th
    python3 scripts/sched-wait-blame.py run.th ...
"""
import bisect
import re
import sys

LINE = re.compile(r'\s*([\d.]+)\s+\[(\d+)\]\s+(.*?)\[(\d+)(?:/(\d+))?\]\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)')


def pct(values, p):
    return values[min(len(values) - 1, int(p * len(values)))] if values else 0.0


def analyse(path):
    rows = []  # (switch-out time ms, thread name, pid, sch delay ms, run ms)
    for line in open(path):
        m = LINE.match(line)
        if m:
            rows.append((float(m[1]) * 1000, m[3].strip(), int(m[5] or m[4]), float(m[7]), float(m[8])))
    pid = next((r[2] for r in rows if r[1].startswith('segment-writer')), None)
    if not rows or pid is None:
        print(f"{path}: no daemon found")
        return

    def kind(name, p):
        return 'query' if p == pid and name.startswith('ingestd-query') else ('ingest' if p == pid else 'other')

    spans = sorted((t - run, t, kind(name, p)) for t, name, p, _, run in rows)
    starts = [s for s, _, _ in spans]
    busy = {'query': 0.0, 'ingest': 0.0, 'other': 0.0}
    for s, e, k in spans:
        busy[k] += e - s  # perf sched timehist leaves the idle task out unless asked (-I)
    held = {'query': 0.0, 'ingest': 0.0, 'other': 0.0}
    delays, by_query = [], []
    for t, name, p, delay, run in rows:
        if kind(name, p) != 'ingest' or delay <= 0:
            continue
        a, b = t - run - delay, t - run
        delays.append(delay)
        q = 0.0
        i = max(0, bisect.bisect_left(starts, a) - 1)
        while i < len(spans) and spans[i][0] < b:
            s, e, k = spans[i]
            overlap = min(e, b) - max(s, a)
            if overlap > 0:
                held[k] += overlap
                if k == 'query':
                    q += overlap
            i += 1
        if q > 0:
            by_query.append(q)
    delays.sort()
    by_query.sort()
    span = (rows[-1][0] - rows[0][0]) / 1000
    print(f"{path}: {span:.1f} s; core busy: ingest {busy['ingest'] / span / 10:.0f} %, query {busy['query'] / span / 10:.0f} %, "
          f"other processes {busy['other'] / span / 10:.0f} %")
    print(f"  ingest wake-ups {len(delays)}, waits {sum(delays):.0f} ms in all (p99 {pct(delays, .99):.3f} ms, "
          f"p99.9 {pct(delays, .999):.3f} ms); the core meanwhile held by: query {held['query']:.0f} ms, "
          f"ingest {held['ingest']:.0f} ms, other processes {held['other']:.0f} ms")
    if by_query:
        print(f"  waits the query worker caused: {len(by_query)}, its part of one p50 {pct(by_query, .5):.3f} ms, "
              f"p90 {pct(by_query, .9):.3f} ms, p99 {pct(by_query, .99):.3f} ms, max {by_query[-1]:.3f} ms")


if __name__ == '__main__':
    for p in sys.argv[1:]:
        analyse(p)
