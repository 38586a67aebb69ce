#!/usr/bin/env python3
"""Drives the self-test page in headless Chromium over the DevTools protocol (Scripts/bench/browser).

Environment: BINARY (homeready-server), DB (--db of the server), BASE (the server's URL), RUNS, WORK (a scratch
folder). Makes a link per run with `homeready-server self-test-link`, opens it, presses Start, answers the
speaker question, waits for #result[data-verdict] and prints one JSON line per run and a summary.
"""
import base64, json, os, socket, struct, subprocess, sys, time, urllib.request

def link():
    out = subprocess.run([os.environ["BINARY"], "self-test-link", "--db", os.environ["DB"], "--employee-id", "E1001",
                          "--expires", "1h", "--base-url", os.environ["BASE"], "--log-level", "warning"],
                         check=True, capture_output=True, text=True)
    return out.stdout.strip()

class CDP:
    """Just enough of a WebSocket client (RFC 6455) for Chromium's DevTools protocol."""
    def __init__(self, port, path):
        self.s = socket.create_connection(("127.0.0.1", port))
        key = base64.b64encode(os.urandom(16)).decode()
        self.s.sendall((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while not head.endswith(b"\r\n\r\n"):
            head += self.s.recv(1)
        assert b" 101 " in head.split(b"\r\n")[0], head
        self.buf, self.next = b"", 0
    def _read(self, n):
        while len(self.buf) < n:
            chunk = self.s.recv(65536)
            if not chunk: raise EOFError
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out
    def _send(self, text):
        data = text.encode(); mask = os.urandom(4)
        head = bytes([0x81]) + (bytes([0x80 | len(data)]) if len(data) < 126 else
                                bytes([0x80 | 126]) + struct.pack(">H", len(data)) if len(data) < 65536 else
                                bytes([0x80 | 127]) + struct.pack(">Q", len(data)))
        self.s.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))
    def _message(self):
        parts = b""
        while True:
            b0, b1 = self._read(2)
            n = b1 & 0x7F
            if n == 126: n = struct.unpack(">H", self._read(2))[0]
            elif n == 127: n = struct.unpack(">Q", self._read(8))[0]
            payload = self._read(n)
            if (b0 & 0x0F) in (0x9, 0xA): continue
            parts += payload
            if b0 & 0x80: return json.loads(parts)
    def call(self, method, **params):
        self.next += 1
        self._send(json.dumps({"id": self.next, "method": method, "params": params}))
        while True:
            m = self._message()
            if m.get("id") == self.next:
                if "error" in m: raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
    def js(self, expression):
        r = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        return r.get("result", {}).get("value")
    def wait(self, expression, timeout):
        end = time.time() + timeout
        while time.time() < end:
            if self.js(f"Boolean({expression})"): return True
            time.sleep(0.05)
        return False

# A fake microphone at a speaking level (-20 dBFS peak sine): Chromium's default fake device beeps at full scale.
import math
wav = os.path.join(os.environ["WORK"], "voice.wav")
rate, count, amplitude = 48000, 48000 * 3, 10 ** (-20 / 20) * 32767
with open(wav, "wb") as f:
    f.write(b"RIFF" + struct.pack("<I", 36 + count * 2) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
            + b"data" + struct.pack("<I", count * 2))
    f.write(b"".join(struct.pack("<h", round(amplitude * math.sin(2 * math.pi * 440 * i / rate))) for i in range(count)))
def axe(cdp, where):
    """Runs axe-core (AXE: path of axe.min.js) on the page: WCAG 2 A and AA rules; prints the violations."""
    cdp.call("Runtime.evaluate", expression=open(os.environ["AXE"]).read())
    found = cdp.js("""axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}})
        .then(r => JSON.stringify({version: axe.version, passes: r.passes.length,
            violations: r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length}))}))""")
    print(json.dumps({"axe": where, **json.loads(found)}), flush=True)

profile = os.path.join(os.environ["WORK"], "chromium")
chrome = subprocess.Popen(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                           "--no-first-run", "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                           "--autoplay-policy=no-user-gesture-required", "--accept-lang=es-MX,es",
                           f"--use-file-for-fake-audio-capture={wav}",
                           "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
                           f"--user-data-dir={profile}", "about:blank"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    port_file = os.path.join(profile, "DevToolsActivePort")
    for _ in range(400):
        if os.path.exists(port_file) and open(port_file).read().strip(): break
        time.sleep(0.05)
    port = int(open(port_file).read().split()[0])
    targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list"))
    page = next(t for t in targets if t["type"] == "page")
    cdp = CDP(port, "/" + page["webSocketDebuggerUrl"].split("/", 3)[3])
    cdp.call("Page.enable"); cdp.call("Runtime.enable")
    times = []
    for run in range(int(os.environ["RUNS"])):
        cdp.call("Page.navigate", url=link())
        if not cdp.wait("document.body && document.body.dataset.ready === 'true'", 15):
            sys.exit("browser: the page did not get ready")
        if os.environ.get("AXE"):
            axe(cdp, "start page")
        start = time.time()
        cdp.js("document.getElementById('start').click()")
        cdp.wait("!document.getElementById('speaker').hidden", 60)
        cdp.js("document.getElementById('heard-yes').click()")
        if not cdp.wait("document.getElementById('result').dataset.verdict || document.body.dataset.error", 120):
            sys.exit("browser: no verdict within 120 s")
        seconds = time.time() - start
        times.append(seconds)
        verdict = cdp.js("document.getElementById('result').dataset.verdict || ('error:' + document.body.dataset.error)")
        figures = cdp.js("JSON.stringify(Object.fromEntries(Array.from(document.querySelectorAll('#figures dd')).map(d => [d.dataset.figure, d.textContent])))")
        if os.environ.get("AXE"):
            cdp.js("document.querySelector('#result details').open = true")
            axe(cdp, "result page")
        problems = cdp.js("Array.from(document.querySelectorAll('#fixes li')).map(li => li.dataset.finding).join(',')")
        print(json.dumps({"run": run + 1, "page_seconds": round(seconds, 1), "verdict": verdict, "problems": problems, "figures": json.loads(figures)}, ensure_ascii=False), flush=True)
    times.sort()
    print(json.dumps({"runs": len(times), "page_seconds_min": round(times[0], 1),
                      "page_seconds_median": round(times[len(times) // 2], 1), "page_seconds_max": round(times[-1], 1),
                      "target_seconds": 30}))
finally:
    chrome.terminate()
    try: chrome.wait(5)
    except Exception: chrome.kill()
