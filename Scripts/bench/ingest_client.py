#!/usr/bin/env python3
"""Load client for Scripts/bench/ingest: N concurrent keep-alive connections posting real-sized reports.

Usage: ingest_client.py HOST PORT MODE SECONDS CONCURRENCY TOKENS_FILE
MODE is `reports` (POST /api/v1/reports, one device token and employee per connection, a fresh report_id each
time) or `healthz` (GET /healthz). Prints one JSON line: requests, seconds, rate, p50_ms, p99_ms, errors.
"""
import asyncio
import json
import sys
import time
import uuid


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


async def worker(host, port, mode, deadline, token, employee_id, latencies, errors):
    reader, writer = await asyncio.open_connection(host, port)
    while time.monotonic() < deadline:
        if mode == "reports":
            body = json.dumps(report_body(employee_id)).encode()
            head = (f"POST /api/v1/reports HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
                    f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode()
            request = head + body
        else:
            request = f"GET /healthz HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
        start = time.monotonic()
        writer.write(request)
        await writer.drain()
        status_line = await reader.readline()
        length = 0
        while True:
            line = await reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value.strip())
        if length:
            await reader.readexactly(length)
        latencies.append(time.monotonic() - start)
        status = int(status_line.split()[1]) if status_line else 0
        if status not in (200, 201):
            errors.append(status)
    writer.close()


async def main():
    host, port, mode, seconds, concurrency, tokens_file = sys.argv[1:7]
    port, seconds, concurrency = int(port), float(seconds), int(concurrency)
    pairs = [line.split() for line in open(tokens_file) if line.strip()]
    latencies, errors = [], []
    start = time.monotonic()
    deadline = start + seconds
    await asyncio.gather(*[
        worker(host, port, mode, deadline, pairs[i % len(pairs)][1], pairs[i % len(pairs)][0], latencies, errors)
        for i in range(concurrency)])
    elapsed = time.monotonic() - start
    latencies.sort()
    def pct(p):
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000, 2) if latencies else None
    print(json.dumps({"mode": mode, "requests": len(latencies), "seconds": round(elapsed, 2),
                      "rate": round(len(latencies) / elapsed, 1), "p50_ms": pct(0.5), "p99_ms": pct(0.99),
                      "errors": len(errors)}))


asyncio.run(main())
