"""The client of Scripts/bench/scale: times a server's pages, list endpoints and exports; prints the table.

  scale_client.py --port P --pid PID --token T --user U --password W   → one JSON line per measurement
  scale_client.py --table NEW.jsonl [BEFORE.jsonl]                      → the table (before beside new)
"""
import argparse
import http.client
import base64
import json
import re
import statistics
import sys
import time
import urllib.parse

RUNS = 5


def rss_kib(pid, field):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


class Client:
    def __init__(self, port, token):
        self.port, self.token, self.cookies = port, token, {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)

    def request(self, method, path, body=None, headers=None, stream=None):
        headers = dict(headers or {})
        if path.startswith("/api/"):
            headers["Authorization"] = f"Bearer {self.token}"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.perf_counter()
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        first = None
        size = 0
        lines = 0
        while True:
            # read1: what has arrived (up to 64 KiB), so the first chunk's time is the first byte's.
            chunk = response.read1(1 << 16)
            if not chunk:
                chunk = response.read()  # the end of a chunked body, so the connection can be reused
                if not chunk:
                    break
            if first is None:
                first = time.perf_counter() - started
            size += len(chunk)
            lines += chunk.count(b"\n")
            if stream:
                stream(chunk)
        total = time.perf_counter() - started
        return response.status, total, first if first is not None else total, size, lines

    def login(self, user, password):
        page = []
        self.request("GET", "/login", stream=page.append)
        match = re.search(rb'name="csrf" value="([^"]+)"', b"".join(page))
        if not match:
            raise SystemExit("scale: no sign-in form at /login")
        form = urllib.parse.urlencode({"csrf": match.group(1).decode(), "username": user, "password": password})
        status, *_ = self.request("POST", "/login", body=form,
                                  headers={"Content-Type": "application/x-www-form-urlencoded"})
        if status not in (302, 303):
            raise SystemExit(f"scale: sign-in as {user} answered {status}")


def measure(args):
    client = Client(args.port, args.token)
    client.login(args.user, args.password)

    def emit(kind, name, **values):
        print(json.dumps({"kind": kind, "name": name, **values}), flush=True)

    # An agent and an item to open, and the last page of the agents list.
    body = []
    client.request("GET", "/api/v1/agents?limit=1", stream=body.append)
    agent = json.loads(b"".join(body))["items"][0]["id"]
    body = []
    client.request("GET", "/api/v1/equipment?limit=1", stream=body.append)
    item = json.loads(b"".join(body))["items"][0]["id"]
    body = []
    client.request("GET", "/agents", stream=body.append)
    # "page 1 of 2,000": the last page's number, opened as a bookmark would (an offset).
    last = re.search(rb"page 1 of ([\d,]+)", b"".join(body))
    last_page = int(last.group(1).replace(b",", b"")) if last else 1
    # A keyset page near the end of the name order (a cursor after "Z"); a server without cursors shows page 1.
    near_end = base64.urlsafe_b64encode("Z\x1f".encode()).decode().rstrip("=")

    targets = [
        ("page", "/"), ("page", "/agents"), ("page", f"/agents?page={last_page}"),
        ("page", f"/agents?page=2&after={near_end}"),
        ("page", "/agents?readiness=not_ready"), ("page", f"/agents/{agent}"), ("page", "/equipment"),
        ("page", "/capacity"), ("page", "/alerts"), ("page", "/drills"),
        ("api", "/api/v1/agents?limit=100"), ("api", "/api/v1/equipment?limit=100"),
        ("api", f"/api/v1/equipment/{item}/audit"), ("api", "/api/v1/equipment/overdue"),
        ("api", "/api/v1/rollups?by=site"), ("api", "/api/v1/rollups?by=team"), ("api", "/api/v1/history?scope=all&id=all"),
        ("api", f"/api/v1/agents/{agent}/readiness"), ("api", "/api/v1/sites"), ("api", "/api/v1/campaigns"),
        ("api", "/api/v1/teams"), ("api", "/api/v1/escalations"), ("api", "/api/v1/drills"), ("api", "/api/v1/audit"),
        ("api", "/metrics"),
    ]
    for kind, path in targets:
        times, status = [], None
        for _ in range(RUNS):
            status, total, _, size, _ = client.request("GET", path)
            times.append(total)
        emit(kind, re.sub(r"after=[A-Za-z0-9_-]+", "after={cursor}", re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "{id}", path)), status=status,
             median_ms=round(statistics.median(times) * 1000, 1), bytes=size)

    for path in ("/api/v1/export/readiness.csv", "/api/v1/export/equipment.csv"):
        runs = []
        for _ in range(3):
            try:
                with open(f"/proc/{args.pid}/clear_refs", "w") as refs:
                    refs.write("5")  # resets the peak resident size (VmHWM)
            except OSError:
                pass
            before = rss_kib(args.pid, "VmRSS")
            status, total, first, size, lines = client.request("GET", path)
            runs.append((total, first, size, lines, rss_kib(args.pid, "VmHWM") - before, status))
        total, first, size, lines, grew, status = sorted(runs)[1]
        emit("export", path, status=status, rows=lines - 1, seconds=round(total, 2), first_byte_ms=round(first * 1000, 1),
             rows_per_s=round((lines - 1) / total), peak_growth_mib=round(grew / 1024, 1), bytes=size)


def table(paths):
    runs = []
    for path in paths:
        with open(path) as lines:
            runs.append({(row["kind"], row["name"]): row for row in map(json.loads, lines)})
    new = runs[0]
    before = runs[1] if len(runs) > 1 else {}
    header = "| what | median ms | status |" + (" before: median ms |" if before else "")
    print(header)
    print("|---|---|---|" + ("---|" if before else ""))
    for key, row in new.items():
        if row["kind"] == "export":
            continue
        line = f"| {row['kind']} `{row['name']}` | {row['median_ms']} | {row['status']} |"
        if before:
            line += f" {before.get(key, {}).get('median_ms', '–')} |"
        print(line)
    print()
    print("| export | rows | seconds | first byte ms | rows/s | peak RSS growth MiB |" + (" before: seconds / first byte ms |" if before else ""))
    print("|---|---|---|---|---|---|" + ("---|" if before else ""))
    for key, row in new.items():
        if row["kind"] != "export":
            continue
        line = (f"| `{row['name']}` | {row['rows']} | {row['seconds']} | {row['first_byte_ms']} | {row['rows_per_s']} |"
                f" {row['peak_growth_mib']} |")
        if before:
            old = before.get(key, {})
            line += f" {old.get('seconds', '–')} / {old.get('first_byte_ms', '–')} |"
        print(line)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int)
    parser.add_argument("--pid", type=int)
    parser.add_argument("--token")
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument("--table", nargs="+")
    args = parser.parse_args()
    if args.table:
        table(args.table)
    else:
        measure(args)


if __name__ == "__main__":
    main()
