#!/usr/bin/env python3
"""Load client for Scripts/bench/ingest: N concurrent keep-alive connections posting real-sized reports.

Run by Scripts/bench/ingest. Sets up agents and devices through the API, measures /healthz and report
ingestion with N connections (each an enrolled device, a fresh report_id per report), then seeds agents and
reports into the database and times the roll-up. Prints one JSON line per measurement.
"""
import argparse
import base64
import asyncio
import http.client
import sqlite3
import subprocess
import json
import os
import sys
import time
import uuid

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives import serialization

# What the agent signs: this domain tag, a newline, then the exact body (Sources/HomeReadySigning).
SIGNING_DOMAIN = b"homeready-report-v1\n"


def report_body(employee_id):
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    findings = []
    for i in range(24):
        findings.append({
            "id": f"check.{i:02d}", "section": ["network", "voice", "vpn", "posture", "equipment"][i % 5],
            "severity": "critical" if i % 3 == 0 else "warning", "status": "pass" if i % 7 else "fail",
            "measured": 12.5 + i, "limit": 20, "unit": "ms",
            "message": "A sentence a person at home can read about this finding.",
            "remediation": "What to do about it, in one or two sentences, shown when it fails." if i % 7 == 0 else None,
        })
    findings = [{k: v for k, v in f.items() if v is not None} for f in findings]
    return {
        "schema_version": 1, "report_id": str(uuid.uuid4()),
        "agent": {"employee_id": employee_id, "hostname": f"laptop-{employee_id}", "user": "agent"},
        "profile": {"id": "linux-baseline", "version": 1}, "started_at": now, "finished_at": now,
        "verdict": "ready_with_warnings", "findings": findings,
        "network": {"download_mbps": 94.2, "upload_mbps": 18.4, "idle_latency_ms": 14.2, "loaded_latency_ms": 48.0,
                    "jitter_ms": 3.1, "loss_percent": 0.0},
        "tool": {"name": "homeready", "version": "0.1.0", "platform": "linux"},
    }


def report_request(host, device, template):
    """One signed POST of a fresh report (a new report_id in the device's template), as raw HTTP/1.1 bytes."""
    employee_id, token, device_id, key = device
    body = template.replace(b"@@REPORT_ID@@", str(uuid.uuid4()).encode())
    signed = ""
    if key is not None:
        signature = base64.b64encode(key.sign(SIGNING_DOMAIN + body)).decode()
        signed = f"X-HomeReady-Device: {device_id}\r\nX-HomeReady-Signature: {signature}\r\n"
    head = (f"POST /api/v1/reports HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n{signed}"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode()
    return head + body


def report_template(employee_id):
    report = report_body(employee_id)
    report["report_id"] = "@@REPORT_ID@@"
    return json.dumps(report).encode()


async def worker(host, port, mode, deadline, device, latencies, errors, pool):
    """One keep-alive connection to `port` (one instance of the server) sending until the deadline."""
    reader, writer = await asyncio.open_connection(host, port)
    template = report_template(device[0])
    while time.monotonic() < deadline:
        if mode == "reports":
            # Signed ahead of the clock when the pool has one (agents sign on their own machines, not the server's).
            request = pool.pop() if pool else report_request(host, device, template)
        else:
            request = f"GET /healthz HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
        start = time.monotonic()
        writer.write(request)
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        status_line, _, fields = head.partition(b"\r\n")
        length = 0
        for line in fields.split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value.strip())
        if length:
            await reader.readexactly(length)
        latencies.append(time.monotonic() - start)
        status = int(status_line.split()[1]) if status_line else 0
        if status not in (200, 201):
            errors.append(status)
    writer.close()


def api(host, port, token, method, path, body=None):
    connection = http.client.HTTPConnection(host, port, timeout=60)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    connection.request(method, path, json.dumps(body) if body is not None else None, headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    if response.status >= 300:
        raise SystemExit(f"{method} {path}: {response.status} {data[:300]!r}")
    return json.loads(data) if data and response.getheader("Content-Type", "").startswith("application/json") else data


def cpu_seconds(pids):
    """User plus system CPU seconds of some processes so far (the server's instances)."""
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


async def load(host, ports, mode, seconds, concurrency, pairs, pools=None, server_pid=None):
    """`concurrency` connections spread over the instances' `ports` for `seconds`."""
    latencies, errors = [], []
    server_before = cpu_seconds(server_pid) if server_pid else None
    client_before = sum(os.times()[:2])
    start = time.monotonic()
    deadline = start + seconds
    await asyncio.gather(*[
        worker(host, ports[i % len(ports)], mode, deadline, pairs[i % len(pairs)], latencies, errors,
               pools[i] if pools else [])
        for i in range(concurrency)])
    elapsed = time.monotonic() - start
    cpu = {"client_cores": round((sum(os.times()[:2]) - client_before) / elapsed, 2)}
    if server_pid:
        cpu["server_cores"] = round((cpu_seconds(server_pid) - server_before) / elapsed, 2)
    latencies.sort()
    def pct(p):
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000, 2) if latencies else None
    return {"requests": len(latencies), "seconds": round(elapsed, 2), "rate_per_s": round(len(latencies) / elapsed, 1),
            "p50_ms": pct(0.5), "p99_ms": pct(0.99), "errors": len(errors), **cpu}


def seed(args, campaign_id, site_id):
    """Adds agents and reports straight into the database (the API path is measured separately)."""
    now_ms = int(time.time() * 1000)
    verdicts = ["ready", "ready", "ready_with_warnings", "not_ready", "incomplete"]
    statuses = ["complete", "complete", "unverified", "missing"]
    per_agent = max(1, args.reports // max(1, args.agents))
    started = time.monotonic()
    if args.backend == "sqlite":
        path = args.db[len("sqlite:"):]
        db = sqlite3.connect(path, timeout=60)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("BEGIN")
        db.executemany(
            "INSERT INTO agents (id, employee_id, name, site_id, campaign_id, last_report_at, last_verdict, "
            "equipment_status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ((f"seed-{i:07d}", f"S{i:07d}", f"Agent {i}", site_id, campaign_id,
              None if i % 10 == 0 else now_ms - (i % 100) * 3_600_000, None if i % 10 == 0 else verdicts[i % 5],
              statuses[i % 4], now_ms) for i in range(args.agents)))
        db.executemany(
            "INSERT INTO reports (report_id, agent_id, started_at, finished_at, received_at, verdict, profile_id, "
            "profile_version, body) VALUES (?, ?, ?, ?, ?, ?, 'linux-baseline', 1, '{}')",
            ((str(uuid.UUID(int=n)), f"seed-{(n // per_agent) % args.agents:07d}", now_ms - n, now_ms - n, now_ms,
              verdicts[n % 5]) for n in range(args.reports)))
        db.commit()
        db.close()
    else:
        sql = f"""
        INSERT INTO agents (id, employee_id, name, site_id, campaign_id, last_report_at, last_verdict, equipment_status, created_at)
        SELECT 'seed-' || lpad(i::text, 7, '0'), 'S' || lpad(i::text, 7, '0'), 'Agent ' || i, '{site_id}', '{campaign_id}',
               CASE WHEN i % 10 = 0 THEN NULL ELSE {now_ms} - (i % 100) * 3600000 END,
               CASE WHEN i % 10 = 0 THEN NULL ELSE (ARRAY['ready','ready','ready_with_warnings','not_ready','incomplete'])[i % 5 + 1] END,
               (ARRAY['complete','complete','unverified','missing'])[i % 4 + 1], {now_ms}
        FROM generate_series(0, {args.agents - 1}) AS i;
        INSERT INTO reports (report_id, agent_id, started_at, finished_at, received_at, verdict, profile_id, profile_version, body)
        SELECT md5(n::text)::uuid::text, 'seed-' || lpad(((n / {per_agent}) % {args.agents})::text, 7, '0'),
               {now_ms} - n, {now_ms} - n, {now_ms}, (ARRAY['ready','ready','ready_with_warnings','not_ready','incomplete'])[n % 5 + 1],
               'linux-baseline', 1, '{{}}'
        FROM generate_series(0, {args.reports - 1}) AS n;
        ANALYZE agents; ANALYZE reports;
        """
        subprocess.run(["psql", args.db, "-q", "-v", "ON_ERROR_STOP=1", "-c", sql], check=True)
    return round(time.monotonic() - started, 1)


def loadavg():
    """The 1-minute load average right now (the machine may be shared: it says how much to trust a figure)."""
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def main():
    parser = argparse.ArgumentParser()
    for name in ["host", "admin", "backend", "db"]:
        parser.add_argument(f"--{name}", required=True)
    parser.add_argument("--port", required=True, help="the server's port; several instances: comma-separated")
    for name in ["concurrency", "agents", "reports"]:
        parser.add_argument(f"--{name}", type=int, required=True)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--unsigned", action="store_true", help="enroll without keys and post unsigned reports")
    parser.add_argument("--server-pid", help="report the server's CPU use (cores) per phase; comma-separated pids")
    parser.add_argument("--pool", type=int, default=None,
                        help="reports signed per connection before the clock starts (default 100 per second run)")
    args = parser.parse_args()
    ports = [int(port) for port in args.port.split(",")]
    server_pids = [int(pid) for pid in args.server_pid.split(",")] if args.server_pid else None
    h, p, admin = args.host, ports[0], args.admin
    site = api(h, p, admin, "POST", "/api/v1/sites", {"name": "Bench site"})["id"]
    campaign = api(h, p, admin, "POST", "/api/v1/campaigns",
                   {"name": "Bench", "profile_id": "linux-baseline", "cutover_date": "2026-12-01"})["id"]
    pairs = []
    for i in range(args.concurrency):
        employee = f"B{i:03d}"
        api(h, p, admin, "POST", "/api/v1/agents", {"employee_id": employee, "name": f"Bench {i}", "site_id": site,
                                                  "campaign_id": campaign})
        code = api(h, p, admin, "POST", "/api/v1/enrollment-codes", {"employee_id": employee})["code"]
        key = None if args.unsigned else Ed25519PrivateKey.generate()
        enrollment = {"code": code, "hostname": f"bench-{i}"}
        if key is not None:
            raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
            enrollment["public_key"] = base64.b64encode(raw).decode()
        enrolled = api(h, p, None, "POST", "/api/v1/enroll", enrollment)
        pairs.append((employee, enrolled["token"], enrolled["device_id"], key))
    size = len(json.dumps(report_body("B000")))
    common = {"backend": args.backend, "instances": len(ports), "concurrency": args.concurrency,
              "signed": not args.unsigned}
    summary = {}
    result = asyncio.run(load(h, ports, "healthz", args.seconds, args.concurrency, pairs, server_pid=server_pids))
    print(json.dumps({**common, "measure": "healthz", **result, "load_avg": loadavg()}), flush=True)
    summary["healthz"] = result
    pool = args.pool if args.pool is not None else int(args.seconds * 100)
    pools = []
    for i in range(args.concurrency):
        device = pairs[i % len(pairs)]
        template = report_template(device[0])
        pools.append([report_request(h, device, template) for _ in range(pool)])
    result = asyncio.run(load(h, ports, "reports", args.seconds, args.concurrency, pairs, pools, server_pids))
    summary["reports"] = result
    summary["load_reports"] = loadavg()
    print(json.dumps({**common, "measure": "reports", "report_bytes": size, **result, "load_avg": summary["load_reports"]}),
          flush=True)
    if args.agents <= 0:
        print_summary(args, summary)
        return
    seconds = seed(args, campaign, site)
    for by in ["campaign", "site", "team"]:
        timings = []
        for _ in range(7):
            start = time.monotonic()
            api(h, p, admin, "GET", f"/api/v1/rollups?by={by}")
            timings.append((time.monotonic() - start) * 1000)
        timings.sort()
        summary[by] = round(timings[3], 1)
        print(json.dumps({**common, "measure": f"rollup_by_{by}", "agents": args.agents + args.concurrency,
                          "reports": args.reports, "seed_seconds": seconds, "median_ms": round(timings[3], 1),
                          "min_ms": round(timings[0], 1), "max_ms": round(timings[-1], 1),
                          "load_avg": loadavg()}), flush=True)
        seconds = None
    print_summary(args, summary)


def print_summary(args, summary):
    """One line a person can paste into docs/performance.md."""
    hz, rp = summary["healthz"], summary["reports"]
    rollup = " / ".join(str(summary.get(by, "-")) for by in ["campaign", "site", "team"])
    instances = len(args.port.split(","))
    share = 100 * rp["rate_per_s"] / hz["rate_per_s"] if hz["rate_per_s"] else 0
    print(f"SUMMARY {args.backend} ({instances} instance{'s' if instances > 1 else ''}): "
          f"healthz {hz['rate_per_s']:,.0f}/s ({hz['p50_ms']} / {hz['p99_ms']} ms), "
          f"reports {rp['rate_per_s']:,.0f}/s = {share:.0f}% of healthz "
          f"({rp['p50_ms']} / {rp['p99_ms']} ms, {rp['errors']} errors, "
          f"server {rp.get('server_cores', '-')} cores, client {rp['client_cores']} cores), "
          f"roll-up {args.agents + args.concurrency:,} agents / {args.reports:,} reports by campaign / site / team "
          f"{rollup} ms (median of 7), load average {summary['load_reports']:.2f} during ingest", flush=True)


if __name__ == "__main__":
    main()
