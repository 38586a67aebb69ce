#!/usr/bin/env python3
"""Load generator for Scripts/bench/load: thousands of agents checking in with their own device tokens.

  load_client.py setup --port P --admin TOKEN --agents N --state FILE
      imports N agents (one CSV roster), issues each an enrollment code and enrolls a device; writes the device
      tokens to FILE.
  load_client.py run --port P --state FILE --scenario steady|burst --seconds S [--max-retries R]
      every agent posts one real-sized report (24 findings): `steady` spreads the arrivals evenly over S seconds,
      `burst` starts them all at once. A 429 or 503 is retried after its Retry-After (plus up to 50% jitter), as
      the agent's uploader does. Prints one JSON line: p50/p90/p99/max latency of every response, counts by
      status, retries, 5xx, connection errors and the time until every agent had delivered.
"""
import argparse
import asyncio
import json
import random
import statistics
import sys
import time
import uuid


def report_body(employee_id):
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    sections = ["network", "voice", "vpn", "posture", "equipment"]
    findings = []
    for i in range(24):
        finding = {
            "id": f"load.check-{i:02d}", "section": sections[i % len(sections)],
            "severity": "critical" if i % 4 == 0 else "warning", "status": "fail" if i % 9 == 0 else "pass",
            "measured": 10.0 + i * 1.5, "limit": 30, "unit": "ms",
            "message": "What was measured, in a sentence an agent at home can follow.",
        }
        if finding["status"] == "fail":
            finding["remediation"] = "What to do about it, shown when the check fails."
        findings.append(finding)
    return json.dumps({
        "schema_version": 1, "report_id": str(uuid.uuid4()),
        "agent": {"employee_id": employee_id, "hostname": f"pc-{employee_id}", "user": "agent"},
        "profile": {"id": "linux-baseline", "version": 1}, "started_at": now, "finished_at": now,
        "verdict": "ready", "findings": findings,
        "tool": {"name": "homeready", "version": "0.1.0", "platform": "linux"},
    }).encode()


async def exchange(host, port, method, path, headers=None, body=b"", timeout=60):
    """One HTTP/1.1 request on a fresh connection; returns (status, headers, body)."""
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    try:
        head = f"{method} {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\nContent-Length: {len(body)}\r\n"
        for name, value in (headers or {}).items():
            head += f"{name}: {value}\r\n"
        writer.write(head.encode() + b"\r\n" + body)
        await writer.drain()
        raw_head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
        lines = raw_head.decode("latin-1").rstrip("\r\n").split("\r\n")
        if not lines or len(lines[0].split(" ")) < 2:
            raise ConnectionError("no HTTP response")
        fields = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            fields[name.strip().lower()] = value.strip()
        length = int(fields.get("content-length", "0"))
        payload = await asyncio.wait_for(reader.readexactly(length), timeout) if length else b""
    finally:
        writer.close()
        try:
            await writer.wait_closed()
        except OSError:
            pass
    status = int(lines[0].split(" ")[1])
    return status, fields, payload


async def setup(args):
    admin = {"Authorization": f"Bearer {args.admin}", "Content-Type": "application/json"}
    rows = ["employee_id,name,contact,site,campaign,team,role"]
    rows += [f"L{i:05d},Load Agent {i},,,,," for i in range(args.agents)]
    status, _, body = await exchange(args.host, args.port, "POST", "/api/v1/import/roster",
                                     {"Authorization": f"Bearer {args.admin}", "Content-Type": "text/csv"},
                                     ("\n".join(rows) + "\n").encode())
    if status != 200:
        sys.exit(f"roster import gave {status}: {body[:300]!r}")
    tokens = {}
    semaphore = asyncio.Semaphore(8)

    async def enroll(employee_id):
        async with semaphore:
            status, _, body = await exchange(args.host, args.port, "POST", "/api/v1/enrollment-codes", admin,
                                             json.dumps({"employee_id": employee_id}).encode())
            if status != 201:
                raise RuntimeError(f"enrollment code for {employee_id}: {status} {body[:200]!r}")
            code = json.loads(body)["code"]
            status, _, body = await exchange(args.host, args.port, "POST", "/api/v1/enroll",
                                             {"Content-Type": "application/json"},
                                             json.dumps({"code": code, "hostname": f"pc-{employee_id}"}).encode())
            if status != 201:
                raise RuntimeError(f"enroll {employee_id}: {status} {body[:200]!r}")
            tokens[employee_id] = json.loads(body)["token"]

    started = time.monotonic()
    await asyncio.gather(*(enroll(f"L{i:05d}") for i in range(args.agents)))
    with open(args.state, "w") as handle:
        json.dump(tokens, handle)
    print(json.dumps({"setup": "enrolled", "agents": len(tokens), "seconds": round(time.monotonic() - started, 1)}),
          flush=True)


async def run(args):
    with open(args.state) as handle:
        tokens = json.load(handle)
    latencies, statuses, errors = [], {}, []
    retries = 0
    delivered = 0
    retry_after_seen = set()
    started = time.monotonic()
    agents = sorted(tokens.items())
    spacing = args.seconds / max(1, len(agents)) if args.scenario == "steady" else 0.0

    async def agent(index, employee_id, token):
        nonlocal retries, delivered
        await asyncio.sleep(index * spacing)
        body = report_body(employee_id)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        for attempt in range(args.max_retries + 1):
            begin = time.monotonic()
            try:
                status, fields, _ = await exchange(args.host, args.port, "POST", "/api/v1/reports", headers, body)
            except (OSError, asyncio.TimeoutError, ConnectionError) as error:
                errors.append(type(error).__name__)
                await asyncio.sleep(1 + random.random())
                retries += 1
                continue
            latencies.append(time.monotonic() - begin)
            statuses[status] = statuses.get(status, 0) + 1
            if status in (200, 201):
                delivered += 1
                return
            if status in (429, 503):
                retry_after = float(fields.get("retry-after", "1"))
                retry_after_seen.add(fields.get("retry-after"))
                retries += 1
                await asyncio.sleep(retry_after * (1 + 0.5 * random.random()))
                continue
            return  # any other status is final (counted above)

    await asyncio.gather(*(agent(i, e, t) for i, (e, t) in enumerate(agents)))
    elapsed = time.monotonic() - started
    latencies.sort()

    def pct(p):
        if not latencies:
            return None
        return round(1000 * latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))], 1)

    server_errors = sum(count for status, count in statuses.items() if status >= 500)
    print(json.dumps({
        "scenario": args.scenario, "agents": len(agents), "delivered": delivered,
        "responses": len(latencies), "by_status": {str(k): v for k, v in sorted(statuses.items())},
        "retries": retries, "retry_after_values": sorted(v for v in retry_after_seen if v),
        "connection_errors": len(errors), "server_errors_5xx": server_errors,
        "p50_ms": pct(50), "p90_ms": pct(90), "p99_ms": pct(99),
        "max_ms": round(1000 * latencies[-1], 1) if latencies else None,
        "mean_ms": round(1000 * statistics.fmean(latencies), 1) if latencies else None,
        "seconds_until_all_delivered": round(elapsed, 1),
    }), flush=True)
    if server_errors or delivered != len(agents):
        sys.exit(1)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["setup", "run"])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--admin")
    parser.add_argument("--agents", type=int, default=2000)
    parser.add_argument("--state", required=True)
    parser.add_argument("--scenario", choices=["steady", "burst"], default="steady")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--max-retries", type=int, default=30)
    args = parser.parse_args()
    asyncio.run(setup(args) if args.command == "setup" else run(args))


if __name__ == "__main__":
    main()
