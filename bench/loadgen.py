"""The intake load generator: several processes × threads, one keep-alive HTTP connection each.

Two modes:

* **open loop** (`rate` given): request *i* is due at `start + i / rate`,
  spread over all connections. Latency is measured from the moment a request
  was *due*, not from when a busy client got round to sending it, so a server
  that falls behind cannot hide it (no coordinated omission — the wrk2 rule).
* **closed loop** (`rate=None`): every connection sends back to back; this
  finds the most the server can take.

The generator runs on the same cores as the server, the worker and Postgres;
it is plain `http.client` (about 0.1–0.2 ms of CPU per request) so it takes as
little from them as we can manage, and the README says so.

Payloads are deterministic in (run, i). Every `alert_every`-th submission is a
new lead that meets the ICP with a demo request (an MQL: it must alert); one in
ten repeats an earlier email (the de-duplication path); the rest are new leads
outside the ICP (scored and stored, no alert). Each carries a token `bk<run>n<i>`
in its email, company and context so its Slack message can be found.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing as mp
import resource
import threading
import time
from dataclasses import dataclass

PATH = "/api/v1/submissions/"
GRACE = 15.0  # seconds after the schedule ends that late requests may still be sent
DOMAIN = "loadgen.example.in"

NON_ICP = [
    ("IT services", "Software Engineer", "IT", 120),
    ("Retail", "Marketing Manager", "Marketing", 800),
    ("Banking", "Finance Manager", "Finance", 3000),
    ("Education", "HR Manager", "Human Resources", 60),
    ("Cement", "Logistics Manager", "Logistics", 90),  # manufacturing, but too small for the ICP
]
EVENTS = ["website_visit", "email_open", "content_download", "linkedin_engagement", "webinar_registration"]


def token(run: str, i: int) -> str:
    return f"bk{run}n{i}"


def kind_of(i: int, alert_every: int) -> str:
    if alert_every and i % alert_every == alert_every // 2:
        return "alert"
    if i % 10 == 5 and i >= 10:
        return "repeat"
    return "new"


def email_index(i: int, alert_every: int) -> int:
    """The submission whose email submission i carries (a repeat carries an earlier one's)."""
    if kind_of(i, alert_every) != "repeat":
        return i
    j = i - 5
    while kind_of(j, alert_every) != "new":
        j -= 1
    return j


def payload(run: str, i: int, alert_every: int) -> tuple[str, bytes]:
    """(kind, JSON body) of submission i of this run."""
    kind = kind_of(i, alert_every)
    tok = token(run, email_index(i, alert_every))
    body: dict = {"email": f"{tok}@{DOMAIN}", "first_name": "Bench", "last_name": f"Lead {i}"}
    if kind == "alert":
        body.update(
            title="VP Logistics",
            function="Logistics",
            company=f"{tok} Steel Ltd",
            industry="Steel",
            employees=1200,
            revenue_cr=450,
            shipments_per_day=220,
            phone="+91 98765 43210",
            source={"campaign": "Benchmark", "channel": "paid_search", "content": "Demo form"},
            event={"type": "demo_request", "asset": "Demo form"},
            context=f"Benchmark alert {tok}",
        )
    else:
        industry, title, function, employees = NON_ICP[i % len(NON_ICP)]
        body.update(
            title=title,
            function=function,
            company=f"{tok} {industry} Pvt Ltd",
            industry=industry,
            employees=employees,
            source={"campaign": "Benchmark", "channel": "organic", "content": "Blog"},
            event={"type": EVENTS[i % len(EVENTS)], "asset": "/blog"},
        )
    return kind, json.dumps(body).encode()


@dataclass(frozen=True)
class Sample:
    i: int
    kind: str
    sent_at: float  # unix time the request left (for matching Slack arrivals)
    status: int  # 0 = connection error
    latency: float  # seconds from when it was due (open loop) or sent (closed loop) to the answer
    service: float  # seconds from sending to the answer


def _connection_loop(
    *,
    host: str,
    port: int,
    key: str,
    run: str,
    slot: int,
    slots: int,
    rate: float | None,
    duration: float,
    start_at: float,
    alert_every: int,
    out: list[Sample],
) -> None:
    conn = http.client.HTTPConnection(host, port, timeout=30)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json", "Connection": "keep-alive"}
    # One clock for the schedule (perf_counter), anchored to the shared wall-clock start.
    base = time.perf_counter() + (start_at - time.time())
    end = base + duration
    k = 0
    while True:
        i = k * slots + slot
        due = base + i / rate if rate else time.perf_counter()
        # A server that cannot keep up leaves requests unsent; past the grace
        # period they are given up (the caller counts them as failed).
        if due >= end or time.perf_counter() > end + GRACE:
            break
        pause = due - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        kind, body = payload(run, i, alert_every)
        sent_wall, sent = time.time(), time.perf_counter()
        try:
            conn.request("POST", PATH, body=body, headers=headers)
            resp = conn.getresponse()
            resp.read()
            status = resp.status
            if resp.will_close:
                conn.close()
        except (OSError, http.client.HTTPException):
            status = 0
            conn.close()
        done = time.perf_counter()
        out.append(Sample(i, kind, sent_wall, status, done - (due if rate else sent), done - sent))
        k += 1
    conn.close()


def _process_main(args: dict, results: mp.Queue) -> None:
    samples: list[Sample] = []
    threads = []
    for t in range(args["threads"]):
        slot = args["first_slot"] + t
        th = threading.Thread(
            target=_connection_loop,
            kwargs=dict(
                host=args["host"],
                port=args["port"],
                key=args["keys"][slot % len(args["keys"])],
                run=args["run"],
                slot=slot,
                slots=args["slots"],
                rate=args["rate"],
                duration=args["duration"],
                start_at=args["start_at"],
                alert_every=args["alert_every"],
                out=samples,
            ),
            daemon=True,
        )
        th.start()
        threads.append(th)
    for th in threads:
        th.join()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    results.put(([tuple(s.__dict__.values()) for s in samples], usage.ru_utime + usage.ru_stime))


def run_load(
    *,
    host: str,
    port: int,
    keys: list[str],
    run: str,
    rate: float | None,
    duration: float,
    processes: int,
    threads: int,
    alert_every: int,
) -> tuple[list[Sample], float, float]:
    """Drive the intake endpoint; answer the samples, the wall-clock span and the generator's CPU seconds."""
    ctx = mp.get_context("spawn")
    results: mp.Queue = ctx.Queue()
    slots = processes * threads
    start_at = time.time() + 2.0  # give every process time to start
    procs = []
    for p in range(processes):
        args = dict(
            host=host, port=port, keys=keys, run=run, rate=rate, duration=duration, start_at=start_at,
            threads=threads, first_slot=p * threads, slots=slots, alert_every=alert_every,
        )
        proc = ctx.Process(target=_process_main, args=(args, results), daemon=True)
        proc.start()
        procs.append(proc)
    samples: list[Sample] = []
    cpu = 0.0
    for _ in procs:
        rows, used = results.get(timeout=duration + GRACE + 90)
        samples.extend(Sample(*row) for row in rows)
        cpu += used
    for proc in procs:
        proc.join(10)
    finished = max((s.sent_at + s.service for s in samples), default=start_at)
    return samples, max(finished - start_at, 1e-9), cpu
