#!/usr/bin/env python3
"""Ingest at a fixed rate and measure how far rescoring lags behind.

wrk saturates the service; this sends POST /v1/interactions batches at a
steady rate (RATE interactions/s in batches of BATCH, evenly spaced over
CONNECTIONS threads) and, while it runs, samples the service's metrics:
the age of the oldest lead waiting to be rescored
(leadscore_rescore_queue_oldest_seconds), and at the end the histogram of
rescoring lag (leadscore_rescore_lag_seconds: from a lead's first unscored
write to the commit of its new scores).

Usage: paced_ingest.py URL KEY [--rate 5000] [--batch 100] [--seconds 30]
Standard library only (BENCHMARKS.md, "The scoring service").
"""

import argparse
import http.client
import json
import random
import threading
import time
import urllib.parse

KINDS = ["EmailOpened", "EmailClicked", "WebsiteVisited", "FormSubmitted"]


def metrics(host, port):
    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.request("GET", "/metrics")
    text = conn.getresponse().read().decode()
    conn.close()
    values = {}
    for line in text.splitlines():
        if line.startswith("#") or " " not in line:
            continue
        name, value = line.rsplit(" ", 1)
        values[name] = float(value)
    return values


def lag_buckets(values):
    prefix = "leadscore_rescore_lag_seconds_bucket{le=\""
    return {
        name[len(prefix):-2]: count
        for name, count in values.items()
        if name.startswith(prefix)
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("key")
    ap.add_argument("--rate", type=float, default=5000)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--connections", type=int, default=4)
    ap.add_argument("--contacts", type=int, default=4612)
    args = ap.parse_args()
    url = urllib.parse.urlparse(args.url)
    host, port = url.hostname, url.port or 80

    interval = args.batch / args.rate * args.connections  # per thread
    latencies, errors, stop = [], [], threading.Event()
    lock = threading.Lock()
    start = time.monotonic() + 0.5

    def sender(tid):
        rng = random.Random(tid * 7919 + 1)
        conn = http.client.HTTPConnection(host, port, timeout=30)
        n = 0
        due = start + tid * interval / args.connections
        while True:
            now = time.monotonic()
            if now - start >= args.seconds:
                return
            if due > now:
                time.sleep(due - now)
            items = []
            for _ in range(args.batch):
                n += 1
                items.append({
                    "interaction_id": f"paced-{tid}-{n}",
                    "kind": rng.choice(KINDS),
                    "occurred_at": "2026-09-%02dT%02d:00:00Z" % (rng.randint(1, 28), rng.randint(0, 23)),
                    "contact_id": "C%07d" % rng.randint(1, args.contacts),
                })
            body = json.dumps(items)
            sent = time.monotonic()
            try:
                conn.request("POST", "/v1/interactions", body, {
                    "Content-Type": "application/json",
                    "Authorization": f"Bearer {args.key}",
                })
                response = conn.getresponse()
                response.read()
                ok = response.status < 300
            except OSError as e:
                ok = False
                conn = http.client.HTTPConnection(host, port, timeout=30)
                response = e
            took = time.monotonic() - sent
            with lock:
                (latencies if ok else errors).append(took if ok else str(getattr(response, "status", response)))
            due += interval

    before = lag_buckets(metrics(host, port))
    threads = [threading.Thread(target=sender, args=(t,)) for t in range(args.connections)]
    for t in threads:
        t.start()
    oldest = []
    while any(t.is_alive() for t in threads):
        time.sleep(0.25)
        oldest.append(metrics(host, port).get("leadscore_rescore_queue_oldest_seconds", 0.0))
    elapsed = time.monotonic() - start
    # Let the queue drain, still sampling.
    drained_at = None
    for _ in range(600):
        values = metrics(host, port)
        oldest.append(values.get("leadscore_rescore_queue_oldest_seconds", 0.0))
        if values.get("leadscore_rescore_queue_depth", 1) == 0:
            drained_at = time.monotonic() - start - elapsed
            break
        time.sleep(0.1)
    after = lag_buckets(metrics(host, port))

    sent = len(latencies) * args.batch
    latencies.sort()
    q = lambda p: latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else float("nan")
    print(f"interactions stored: {sent} in {elapsed:.1f} s ({sent / elapsed:,.0f}/s; asked {args.rate:,.0f}/s); "
          f"requests p50 {q(0.5):.1f} ms, p99 {q(0.99):.1f} ms, {len(errors)} failed")
    oldest.sort()
    print(f"oldest queued lead, sampled every 0.25 s: median {oldest[len(oldest) // 2]:.2f} s, "
          f"max {oldest[-1]:.2f} s; queue empty {drained_at if drained_at is not None else float('nan'):.2f} s after the load")
    total = after.get("+Inf", 0) - before.get("+Inf", 0)
    if total:
        parts = []
        for le in ["0.1", "0.25", "0.5", "1", "2.5", "5"]:
            within = after.get(le, 0) - before.get(le, 0)
            parts.append(f"<= {le} s: {100 * within / total:.1f}%")
        print(f"rescoring lag of {total:,.0f} lead rescorings: " + ", ".join(parts))


if __name__ == "__main__":
    main()
