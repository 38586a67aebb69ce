// HomeReady self-test page. Plain JavaScript, no bundler, no other host: everything comes from this server.
// Steps: devices and microphone permission, idle latency, download and upload (parallel streams, warm-up
// discarded, latency under load), a looped audio call through the company TURN relay (UDP, then TCP, then TLS)
// together with the microphone level and speaker tests; then the report goes to the server, which judges it.
'use strict';

(() => {
  const LANGS = ['es', 'en'];
  const HTML_LANG = { es: 'es-MX', en: 'en' };
  const STORAGE_KEY = 'homeready.selftest.lang';
  const body = document.body;
  const base = body.dataset.base || '';

  // Everything the page starts stops when the tab goes away (pagehide): fetches, uploads, the call, audio.
  const controller = new AbortController();
  const signal = controller.signal;
  const cleanups = new Set();
  window.addEventListener('pagehide', () => {
    controller.abort();
    for (const fn of cleanups) { try { fn(); } catch (e) { /* closing anyway */ } }
    cleanups.clear();
  });

  // ---------------------------------------------------------------- language
  let lang = 'es';
  let catalog = {};
  const catalogs = {};
  let statusKey = null;
  let lastResult = null;
  let lastError = null;
  let agentName = '';

  function pickLanguage() {
    try {
      const stored = localStorage.getItem(STORAGE_KEY);
      if (LANGS.includes(stored)) return stored;
    } catch (e) { /* storage may be off */ }
    // The language IT recorded for this agent comes before the browser's.
    if (body.dataset.langSource === 'roster' && LANGS.includes(body.dataset.lang)) return body.dataset.lang;
    for (const tag of (navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || ''])) {
      const primary = String(tag).toLowerCase().split('-')[0];
      if (LANGS.includes(primary)) return primary;
    }
    return LANGS.includes(body.dataset.lang) ? body.dataset.lang : 'es';
  }

  async function loadCatalog(language) {
    if (!catalogs[language]) {
      const response = await fetch('/self-test/assets/' + language + '.json', { signal, cache: 'no-cache' });
      catalogs[language] = await response.json();
    }
    return catalogs[language];
  }

  function t(key, vars) {
    let text = catalog[key];
    if (text === undefined) return null;
    for (const [name, value] of Object.entries(vars || {})) text = text.split('{' + name + '}').join(String(value));
    return text;
  }

  function tt(key, vars) { return t(key, vars) ?? key; }

  // Messages from IT or the command center waiting for the agent (config.messages), in the page's language when
  // IT wrote one; built with textContent, never as HTML.
  let messages = [];
  function renderMessages() {
    const section = document.getElementById('messages'), list = document.getElementById('message-list');
    if (!section || !list) return;
    list.replaceChildren();
    for (const message of messages) {
      const item = document.createElement('li');
      item.textContent = (message.texts && message.texts[lang]) || message.text;
      list.append(item);
    }
    section.hidden = messages.length === 0;
  }

  async function setLanguage(language, remember) {
    lang = language;
    catalog = await loadCatalog(language);
    if (remember) { try { localStorage.setItem(STORAGE_KEY, language); } catch (e) { /* not remembered */ } }
    document.documentElement.lang = HTML_LANG[language] || language;
    for (const element of document.querySelectorAll('[data-i18n]')) {
      const text = t(element.dataset.i18n);
      if (text !== null) element.textContent = text;
    }
    for (const button of document.querySelectorAll('[data-set-lang]')) {
      button.setAttribute('aria-pressed', String(button.dataset.setLang === language));
    }
    const greeting = document.getElementById('greeting');
    if (greeting && agentName) greeting.textContent = tt('greeting.named', { name: agentName });
    if (statusKey) setStatus(statusKey);
    for (const item of document.querySelectorAll('#steps .state')) item.textContent = tt('state.' + item.dataset.state);
    renderMessages();
    if (lastResult) renderResult(lastResult);
    if (lastError) showError(lastError);
    const countdown = document.getElementById('speaker-countdown');
    if (countdown && countdown.dataset.left) countdown.textContent = tt('speaker.countdown', { s: countdown.dataset.left });
  }

  for (const button of document.querySelectorAll('[data-set-lang]')) {
    button.addEventListener('click', () => { setLanguage(button.dataset.setLang, true); });
  }

  // ---------------------------------------------------------------- helpers
  const $ = (id) => document.getElementById(id);
  const now = () => performance.now();
  const sleep = (ms) => new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
  });
  const round = (value, digits) => {
    if (value === null || value === undefined || !isFinite(value)) return undefined;
    const f = Math.pow(10, digits);
    return Math.round(value * f) / f;
  };

  function percentile(sorted, p) {
    if (!sorted.length) return undefined;
    const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
    return sorted[index];
  }

  function summary(samples) {
    if (!samples.length) return undefined;
    const sorted = samples.slice().sort((a, b) => a - b);
    return { min: round(sorted[0], 1), p50: round(percentile(sorted, 0.5), 1), p90: round(percentile(sorted, 0.9), 1) };
  }

  function setStatus(key) {
    statusKey = key;
    $('status').textContent = tt(key);
  }

  const stepOrder = ['devices', 'latency', 'download', 'upload', 'call', 'microphone', 'speaker', 'send'];
  const stepDone = new Set();
  function step(name, state) {
    const item = document.querySelector('#steps [data-step="' + name + '"] .state');
    if (!item) return;
    item.dataset.state = state;
    item.textContent = tt('state.' + state);
    item.parentElement.dataset.state = state;
    if (state !== 'running' && state !== 'pending') stepDone.add(name);
    $('bar').value = Math.round(100 * stepDone.size / stepOrder.length);
  }

  function showError(code) {
    lastError = code;
    const box = $('link-error');
    box.hidden = false;
    const key = 'problem.' + code;
    box.textContent = tt(key) + (code.startsWith('link_') ? ' ' + tt('problem.action') : '');
    body.dataset.error = code;
  }

  async function getJSON(path) {
    const response = await fetch(path, { signal, cache: 'no-store', headers: { Accept: 'application/json' } });
    let payload = null;
    try { payload = await response.json(); } catch (e) { payload = null; }
    if (!response.ok) {
      const error = new Error('HTTP ' + response.status);
      error.status = response.status;
      error.code = payload && payload.code;
      throw error;
    }
    return payload;
  }

  // ---------------------------------------------------------------- devices and browser
  const USB_NAME = /\([0-9a-f]{4}:[0-9a-f]{4}\)|\busb\b/i;
  const HEADSET_NAME = /head ?set|headphone|earphone|jabra|plantronics|\bpoly\b|sennheiser|epos|logitech|yealink|evolve|blackwire|voyager|auricular|aud[ií]fono|diadema|cascos?\b/i;

  async function listDevices() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.enumerateDevices) return [];
    const devices = await navigator.mediaDevices.enumerateDevices();
    return devices.filter((d) => d.kind === 'audioinput' || d.kind === 'audiooutput' || d.kind === 'videoinput')
      .filter((d) => d.deviceId !== 'default' && d.deviceId !== 'communications')
      .map((d) => ({ kind: d.kind, label: d.label || '', usb: USB_NAME.test(d.label), headset: HEADSET_NAME.test(d.label) }));
  }

  function headsetEquipment(devices) {
    const inputs = devices.filter((d) => d.kind === 'audioinput');
    const outputs = devices.filter((d) => d.kind === 'audiooutput');
    const usbId = (label) => { const m = /\(([0-9a-f]{4}:[0-9a-f]{4})\)/i.exec(label); return m ? m[1].toLowerCase() : null; };
    const usbHeadset = inputs.find((d) => d.usb && (d.headset || outputs.some((o) => usbId(o.label) && usbId(o.label) === usbId(d.label))));
    const headset = usbHeadset || inputs.find((d) => d.headset);
    return [
      { kind: 'usb_headset', present: Boolean(usbHeadset), detail: usbHeadset ? usbHeadset.label : undefined },
      { kind: 'headset', present: Boolean(headset), detail: headset ? headset.label : undefined },
    ];
  }

  async function browserFacts() {
    const ua = navigator.userAgent || '';
    let browser, os;
    const data = navigator.userAgentData;
    if (data && data.brands) {
      const brand = data.brands.find((b) => !/not.?a.?brand/i.test(b.brand) && b.brand !== 'Chromium') || data.brands.find((b) => b.brand === 'Chromium');
      if (brand) browser = brand.brand + ' ' + brand.version;
      os = data.platform || undefined;
    }
    if (!browser) {
      const m = /(Edg|OPR|Firefox|Chrome|Version)\/(\d+)/.exec(ua);
      if (m) browser = ({ Edg: 'Edge', OPR: 'Opera', Version: 'Safari' }[m[1]] || m[1]) + ' ' + m[2];
    }
    if (!os) {
      os = /Windows/.test(ua) ? 'Windows' : /Mac OS X|Macintosh/.test(ua) ? 'macOS' : /Android/.test(ua) ? 'Android'
        : /iPhone|iPad/.test(ua) ? 'iOS' : /CrOS/.test(ua) ? 'ChromeOS' : /Linux/.test(ua) ? 'Linux' : undefined;
    }
    return {
      user_agent: ua.slice(0, 512), browser, os,
      cpu_cores: navigator.hardwareConcurrency || undefined,
      memory_gb: navigator.deviceMemory || undefined,
      language: HTML_LANG[lang] || lang,
    };
  }

  // ---------------------------------------------------------------- latency and throughput
  async function ping(url) {
    const start = now();
    const response = await fetch(url + '?t=' + Math.random().toString(36).slice(2), { signal, cache: 'no-store' });
    await response.arrayBuffer();
    return now() - start;
  }

  async function idleLatency(url, count) {
    const samples = [];
    for (let i = 0; i < count && !signal.aborted; i++) {
      try {
        const ms = await ping(url);
        if (i >= 2) samples.push(ms); // the first round trips open the connection
      } catch (e) { if (signal.aborted) break; }
    }
    return samples;
  }

  // Pings every 100 ms (one at a time) until `stop` fires: latency while a transfer saturates the link.
  async function loadedLatency(url, stop) {
    const samples = [];
    while (!stop.aborted && !signal.aborted) {
      const started = now();
      try {
        const ms = await ping(url);
        if (!stop.aborted) samples.push(ms);
      } catch (e) { break; }
      const wait = 100 - (now() - started);
      if (wait > 0) await sleep(wait);
    }
    return samples;
  }

  // Bytes per second between two times, read from [ms, bytes] samples (the agent's ThroughputController.rate).
  function rateBetween(samples, from, to) {
    let first = samples[0], last = null;
    for (const sample of samples) {
      if (sample[0] <= from) first = sample;
      if (sample[0] <= to) last = sample;
    }
    if (!first || !last || last[0] <= first[0]) return undefined;
    return (last[1] - first[1]) * 1000 / (last[0] - first[0]);
  }

  // Whether the last four 0.5 s windows before `t` vary by less than `spread` (coefficient of variation).
  function stableAt(samples, t, spread) {
    const windows = [];
    for (let i = 0; i < 4; i++) windows.push(rateBetween(samples, t - (i + 1) * 500, t - i * 500));
    if (windows.some((w) => w === undefined)) return false;
    const mean = windows.reduce((a, b) => a + b, 0) / 4;
    if (!(mean > 0)) return false;
    const variance = windows.reduce((a, w) => a + (w - mean) * (w - mean), 0) / 4;
    return Math.sqrt(variance) / mean < spread;
  }

  // The steady-state rate of [ms, bytes] samples: over the last four 0.5 s windows when they are stable after
  // at least `min_steady_seconds` of steady phase, else over the later half of the steady phase (at least 2 s).
  // (Over the whole steady phase, as the agent does, an upload read up to 21 % low at 5 Mbit/s: a browser starts
  // its uploads unevenly, and the start is over before its progress events show it.)
  function steadyRate(samples, steadyStart, config) {
    if (samples.length < 2) return { rate: undefined, seconds: 0, stable: false };
    const end = samples[samples.length - 1][0];
    const stable = steadyStart !== null && end - steadyStart >= config.min_steady_seconds * 1000 && stableAt(samples, end, config.stable_spread);
    let from;
    if (stable) from = end - 2000;
    else if (steadyStart !== null && end > steadyStart) from = Math.max(steadyStart, Math.min(end - 2000, (steadyStart + end) / 2));
    else from = end / 2;
    from = Math.max(0, from);
    return { rate: rateBetween(samples, from, end), seconds: (end - from) / 1000, stable };
  }

  // Runs `streams` parallel transfers and measures the steady-state rate, the agent's method without its stream
  // ramp (a browser has at most six connections per host): the steady phase starts `settle_seconds` after every
  // stream has moved its first bytes (connection set-up, slow start, an upload's first socket buffer); the
  // direction stops once the last four 0.5 s window rates vary by less than `stable_spread` over at least
  // `min_steady_seconds` of steady phase, or at `throughput_seconds` (steadyRate gives the rate).
  // Download bytes are counted as the response streams hand them over. Upload bytes are counted by the server
  // as they arrive (an upload tally, read afterwards): the page's own progress events come in coarse steps and
  // run ahead of the wire by the socket buffer, so they only decide when to stop.
  async function throughput(kind, config, onBytes) {
    const maxMs = config.throughput_seconds * 1000, settleMs = config.settle_seconds * 1000;
    const minSteadyMs = config.min_steady_seconds * 1000, streams = config.streams;
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    let bytes = 0, flowing = 0, firstAt = null, steadyStart = null;
    const started = new Array(streams).fill(false);
    const start = now();
    const samples = [[0, 0]];
    const count = (stream, n) => {
      bytes += n;
      if (!started[stream] && n > 0) {
        started[stream] = true;
        const t = now() - start;
        if (firstAt === null) firstAt = t;
        if (++flowing === streams) steadyStart = t + settleMs;
      }
      if (onBytes) onBytes(bytes);
    };
    const timer = setInterval(() => {
      const t = now() - start;
      samples.push([t, bytes]);
      const steady = steadyStart !== null && t - steadyStart >= minSteadyMs && stableAt(samples, t, config.stable_spread);
      if (steady || t >= maxMs) stop.abort();
    }, 100);
    const latency = loadedLatency(config.speed.ping, stop.signal);
    const tally = kind === 'upload' ? 'up' + Math.random().toString(36).slice(2, 12) + Date.now().toString(36) : null;
    const workers = [];
    for (let i = 0; i < streams; i++) {
      const counter = (n) => count(i, n);
      workers.push(kind === 'download' ? downloadWorker(config.speed.download, stop.signal, counter)
        : uploadWorker(config.speed.upload + '?tally=' + tally, stop.signal, counter));
    }
    const stoppedAt = await Promise.race([
      new Promise((resolve) => stop.signal.addEventListener('abort', () => resolve(now() - start), { once: true })),
      Promise.allSettled(workers).then(() => now() - start),
    ]);
    await Promise.allSettled(workers);
    clearInterval(timer);
    samples.push([now() - start, bytes]);
    stop.abort();
    signal.removeEventListener('abort', onAbort);
    const loaded = await latency;
    let result = steadyRate(samples, steadyStart, config);
    let counted = 'page';
    if (tally && !signal.aborted) {
      const server = await uploadTally(config.speed.upload, tally, firstAt, steadyStart, stoppedAt, config);
      if (server && server.rate !== undefined) { result = server; counted = 'server'; }
    }
    return {
      mbps: result.rate !== undefined ? result.rate * 8 / 1e6 : undefined, bytes, steadySeconds: result.seconds,
      seconds: (now() - start) / 1000, stable: result.stable, counted, streams, loaded,
    };
  }

  // The server's tally of an upload as [ms, cumulative bytes] samples from its first byte, and its steady-state
  // rate, on the server's clock: the steady phase starts, and the samples end, as long after the first byte as on
  // the page. A stopped upload's connections still send what their socket buffers hold (on a slow uplink,
  // seconds of it), so the tally is read until it stops growing (at most 5 s): the call that follows must not
  // measure the speed test's leftovers, and the bytes that came after the page stopped are not counted.
  async function uploadTally(uploadURL, tally, firstAt, steadyStart, stoppedAt, config) {
    try {
      let body = null, previous = -1;
      const started = now();
      for (;;) {
        const response = await fetch(uploadURL + '/tally/' + tally, { signal, cache: 'no-store' });
        if (!response.ok) return null;
        body = await response.json();
        const sum = (body.bytes || []).reduce((a, b) => a + b, 0);
        if (sum === previous || now() - started > 5000) break;
        previous = sum;
        await sleep(300);
      }
      if (firstAt === null) return null;
      const endMs = stoppedAt - firstAt;
      const samples = [[0, 0]];
      let total = 0;
      (body.bytes || []).forEach((b, i) => {
        const t = (i + 1) * body.bin_ms;
        total += b;
        if (t <= endMs) samples.push([t, total]);
      });
      const offset = steadyStart !== null ? steadyStart - firstAt : null;
      return steadyRate(samples, offset, config);
    } catch (e) { return null; }
  }

  async function downloadWorker(url, stop, count) {
    while (!stop.aborted) {
      try {
        const response = await fetch(url + '?bytes=25000000&t=' + Math.random().toString(36).slice(2), { signal: stop, cache: 'no-store' });
        const reader = response.body.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          count(value.byteLength);
        }
      } catch (e) {
        if (stop.aborted) return;
        await sleep(200);
      }
    }
  }

  let uploadBlob = null;
  function payload() {
    if (!uploadBlob) {
      const chunk = new Uint8Array(1 << 20);
      for (let offset = 0; offset < chunk.length; offset += 65536) crypto.getRandomValues(chunk.subarray(offset, offset + 65536));
      uploadBlob = new Blob(Array(8).fill(chunk), { type: 'application/octet-stream' });
    }
    return uploadBlob;
  }

  // Uploads through XMLHttpRequest: its progress events are how a page learns how much of a body left.
  async function uploadWorker(url, stop, count) {
    while (!stop.aborted) {
      await new Promise((resolve) => {
        const xhr = new XMLHttpRequest();
        let last = 0;
        const abort = () => xhr.abort();
        stop.addEventListener('abort', abort, { once: true });
        xhr.upload.onprogress = (event) => { count(event.loaded - last); last = event.loaded; };
        xhr.onloadend = () => { stop.removeEventListener('abort', abort); resolve(); };
        xhr.open('POST', url);
        xhr.send(payload());
      });
    }
  }

  // ---------------------------------------------------------------- microphone and speaker
  // test.webrtc.org's rules over ~2 s of samples: silent when every sample is below 1/32767, too quiet below
  // −60 dBFS RMS, clipping after more than 6 consecutive full-scale samples.
  function testMicrophone(context, stream, seconds) {
    return new Promise((resolve) => {
      const track = stream.getAudioTracks()[0];
      const device = track ? track.label : undefined;
      let source, processor, mute;
      let sumSquares = 0, samples = 0, peak = 0, run = 0, longestRun = 0;
      const finish = () => {
        try { source.disconnect(); processor.disconnect(); mute.disconnect(); } catch (e) { /* already */ }
        if (!samples) { resolve({ status: 'error', device }); return; }
        const rms = Math.sqrt(sumSquares / samples);
        const dbfs = rms > 0 ? 20 * Math.log10(rms) : -200;
        let status = 'ok';
        if (peak < 1 / 32767) status = 'silent';
        else if (longestRun > 6) status = 'clipping';
        else if (dbfs < -60) status = 'too_quiet';
        resolve({ status, rms_dbfs: round(dbfs, 1), peak: round(peak, 4), clipped_run: longestRun, device });
      };
      try {
        source = context.createMediaStreamSource(stream);
        processor = context.createScriptProcessor(4096, 1, 1);
        mute = context.createGain();
        mute.gain.value = 0;
        processor.onaudioprocess = (event) => {
          const data = event.inputBuffer.getChannelData(0);
          for (let i = 0; i < data.length; i++) {
            const value = Math.abs(data[i]);
            sumSquares += value * value;
            if (value > peak) peak = value;
            if (value >= 32767 / 32768) { run++; if (run > longestRun) longestRun = run; } else run = 0;
          }
          samples += data.length;
        };
        source.connect(processor);
        processor.connect(mute);
        mute.connect(context.destination);
      } catch (e) {
        resolve({ status: 'error', device });
        return;
      }
      sleep(seconds * 1000).then(finish);
    });
  }

  // Plays a tone until the agent answers with #heard-yes or #heard-no, or `seconds` pass ("not confirmed").
  function speakerTest(context, seconds) {
    return new Promise((resolve) => {
      const section = $('speaker');
      const countdown = $('speaker-countdown');
      const started = now();
      let oscillator = null, gain = null, finished = false;
      const stopTone = () => {
        if (oscillator) { try { oscillator.stop(); oscillator.disconnect(); gain.disconnect(); } catch (e) { /* done */ } }
        oscillator = null;
      };
      const playTone = () => {
        stopTone();
        try {
          oscillator = context.createOscillator();
          gain = context.createGain();
          oscillator.frequency.value = 440;
          gain.gain.value = 0.2;
          oscillator.connect(gain);
          gain.connect(context.destination);
          oscillator.start();
        } catch (e) { oscillator = null; }
      };
      const finish = (status) => {
        if (finished) return;
        finished = true;
        clearInterval(timer);
        stopTone();
        cleanups.delete(stopTone);
        section.hidden = true;
        delete countdown.dataset.left;
        countdown.textContent = '';
        const result = { status };
        if (status !== 'not_confirmed') result.answer_seconds = round((now() - started) / 1000, 1);
        step('speaker', status === 'heard' ? 'done' : 'failed');
        resolve(result);
      };
      const tick = () => {
        const left = Math.max(0, Math.ceil(seconds - (now() - started) / 1000));
        countdown.dataset.left = String(left);
        countdown.textContent = tt('speaker.countdown', { s: left });
        if (left <= 0) finish('not_confirmed');
      };
      const timer = setInterval(tick, 250);
      cleanups.add(stopTone);
      signal.addEventListener('abort', () => finish('not_confirmed'), { once: true });
      $('heard-yes').onclick = () => finish('heard');
      $('heard-no').onclick = () => finish('not_heard');
      $('replay').onclick = () => playTone();
      step('speaker', 'running');
      section.hidden = false;
      tick();
      playTone();
      $('heard-yes').focus();
    });
  }

  // A steady quiet tone as the call's audio when no microphone can be used (the call still measures the path).
  function toneStream(context) {
    const oscillator = context.createOscillator();
    const gain = context.createGain();
    const destination = context.createMediaStreamDestination();
    oscillator.frequency.value = 300;
    gain.gain.value = 0.05;
    oscillator.connect(gain);
    gain.connect(destination);
    oscillator.start();
    cleanups.add(() => oscillator.stop());
    return destination.stream;
  }

  // ---------------------------------------------------------------- the relayed call
  // Two peer connections in this page, relay candidates only, audio both ways through the company TURN server.
  async function connectPair(transport, turn, stream, timeoutSeconds) {
    const configuration = {
      iceServers: [{ urls: transport.urls, username: turn.username, credential: turn.credential }],
      iceTransportPolicy: 'relay',
    };
    const a = new RTCPeerConnection(configuration);
    const b = new RTCPeerConnection(configuration);
    const close = () => { try { a.close(); } catch (e) { /* closed */ } try { b.close(); } catch (e) { /* closed */ } };
    cleanups.add(close);
    const gathered = new Map([[a, 0], [b, 0]]);
    let candidateError = null;
    const relay = (from, to) => {
      const queue = [];
      from.onicecandidate = (event) => {
        if (!event.candidate) return;
        gathered.set(from, gathered.get(from) + 1);
        if (to.remoteDescription) to.addIceCandidate(event.candidate).catch(() => {});
        else queue.push(event.candidate);
      };
      return () => { for (const c of queue.splice(0)) to.addIceCandidate(c).catch(() => {}); };
    };
    const flushB = relay(a, b);
    const flushA = relay(b, a);
    const track = stream.getAudioTracks()[0];
    a.addTrack(track, stream);
    const back = track.clone();
    cleanups.add(() => back.stop());
    b.addTrack(back, new MediaStream([back]));
    const started = now();
    const connected = new Promise((resolve) => {
      const check = () => {
        const states = [a.connectionState, b.connectionState];
        if (states.every((s) => s === 'connected')) resolve(null);
        else if (states.some((s) => s === 'failed' || s === 'closed')) resolve('ice failed');
      };
      a.onconnectionstatechange = check;
      b.onconnectionstatechange = check;
      // Gathering over with no relay candidate: the TURN server cannot be reached over this transport.
      const gatheringDone = () => {
        if ([a, b].some((pc) => pc.iceGatheringState === 'complete' && gathered.get(pc) === 0)) resolve('no relay candidate');
      };
      a.onicegatheringstatechange = gatheringDone;
      b.onicegatheringstatechange = gatheringDone;
      a.onicecandidateerror = b.onicecandidateerror = (event) => {
        candidateError = String(event.errorCode || '') + ' ' + String(event.errorText || '').slice(0, 80);
      };
      sleep(timeoutSeconds * 1000).then(() => resolve(signal.aborted ? 'aborted' : 'timeout'));
    });
    try {
      const offer = await a.createOffer();
      await a.setLocalDescription(offer);
      await b.setRemoteDescription(offer);
      flushB();
      const answer = await b.createAnswer();
      await b.setLocalDescription(answer);
      await a.setRemoteDescription(answer);
      flushA();
    } catch (e) {
      close();
      cleanups.delete(close);
      return { attempt: { transport: transport.transport, connected: false, seconds: round((now() - started) / 1000, 1), error: String(e && e.name || e) } };
    }
    const error = await connected;
    const attempt = { transport: transport.transport, connected: !error, seconds: round((now() - started) / 1000, 1) };
    if (error) {
      attempt.error = candidateError ? error + ' (' + candidateError.trim() + ')' : error;
      close();
      cleanups.delete(close);
      return { attempt };
    }
    return { attempt, a, b, close };
  }

  async function statsOf(pc) {
    const report = await pc.getStats();
    const out = { inbound: null, outbound: null, remoteInbound: null, pair: null, local: null };
    let selectedPair = null;
    report.forEach((s) => { if (s.type === 'transport' && s.selectedCandidatePairId) selectedPair = s.selectedCandidatePairId; });
    report.forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'audio') out.inbound = s;
      else if (s.type === 'outbound-rtp' && s.kind === 'audio') out.outbound = s;
      else if (s.type === 'remote-inbound-rtp' && s.kind === 'audio') out.remoteInbound = s;
      else if (s.type === 'candidate-pair' && (s.id === selectedPair || (!selectedPair && s.nominated && s.state === 'succeeded'))) out.pair = s;
    });
    if (out.pair) out.local = report.get(out.pair.localCandidateId) || null;
    return out;
  }

  async function measureCall(pair, seconds, onTick) {
    const started = now();
    const rttSamples = [];
    // The RFC 3550 estimate of each direction, read every second: a single reading is one noisy value of a
    // running estimate (it follows the last ~16 packets), so the call's jitter is the mean of the readings.
    const jitterSamples = [[], []];
    while (!signal.aborted && now() - started < seconds * 1000) {
      await sleep(1000);
      if (onTick) onTick((now() - started) / 1000);
      for (const [index, pc] of [pair.a, pair.b].entries()) {
        try {
          const s = await statsOf(pc);
          if (s.pair && typeof s.pair.currentRoundTripTime === 'number') rttSamples.push(s.pair.currentRoundTripTime * 1000);
          if (s.inbound && typeof s.inbound.jitter === 'number' && (s.inbound.packetsReceived || 0) > 16) jitterSamples[index].push(s.inbound.jitter * 1000);
        } catch (e) { /* closed */ }
      }
    }
    const callSeconds = (now() - started) / 1000;
    const stats = [await statsOf(pair.a), await statsOf(pair.b)];
    let received = 0, lost = 0, sent = 0, jitter = 0, rttTotal = 0, rttCount = 0;
    let relayProtocol = null;
    for (const [index, s] of stats.entries()) {
      if (s.inbound) {
        received += s.inbound.packetsReceived || 0;
        lost += Math.max(0, s.inbound.packetsLost || 0);
        const readings = jitterSamples[index].length ? jitterSamples[index] : [(s.inbound.jitter || 0) * 1000];
        jitter = Math.max(jitter, readings.reduce((x, y) => x + y, 0) / readings.length);
      }
      if (s.outbound) sent += s.outbound.packetsSent || 0;
      if (s.remoteInbound && s.remoteInbound.roundTripTimeMeasurements) {
        rttTotal += s.remoteInbound.totalRoundTripTime * 1000;
        rttCount += s.remoteInbound.roundTripTimeMeasurements;
      }
      if (s.local && s.local.relayProtocol) relayProtocol = s.local.relayProtocol;
    }
    let rtt = rttCount ? rttTotal / rttCount : undefined;
    if (rtt === undefined && rttSamples.length) rtt = rttSamples.reduce((x, y) => x + y, 0) / rttSamples.length;
    return {
      rtt_ms: round(rtt, 1), jitter_ms: round(jitter, 2),
      loss_percent: received + lost > 0 ? round(100 * lost / (received + lost), 2) : undefined,
      packets_sent: sent, packets_received: received, packets_lost: lost,
      call_seconds: round(callSeconds, 1), relayProtocol,
    };
  }

  async function relayCall(config, stream) {
    let turn;
    try { turn = await getJSON(base + '/turn'); } catch (e) { return null; }
    const attempts = [];
    let first = true;
    for (const transport of turn.transports || []) {
      if (signal.aborted) break;
      if (!first) setStatus('status.call.fallback');
      first = false;
      const pair = await connectPair(transport, turn, stream, config.relay_connect_seconds);
      attempts.push(pair.attempt);
      if (!pair.a) continue;
      setStatus('status.call');
      const figures = await measureCall(pair, config.call_seconds);
      pair.close();
      cleanups.delete(pair.close);
      const result = Object.assign({ transport: transport.transport, attempts }, figures);
      delete result.relayProtocol;
      return result;
    }
    return { attempts };
  }

  // ---------------------------------------------------------------- the run
  let config = null;

  async function run() {
    const startButton = $('start');
    startButton.disabled = true;
    $('welcome').hidden = true;
    $('progress').hidden = false;
    $('progress').focus();
    const pageStart = now();
    const startedAt = new Date();
    const AudioContextClass = window.AudioContext || window.webkitAudioContext;
    const audio = new AudioContextClass();
    cleanups.add(() => audio.close());
    if (audio.state === 'suspended') { try { await audio.resume(); } catch (e) { /* plays when it can */ } }

    // 1. Headset and microphone permission.
    step('devices', 'running');
    setStatus('status.devices');
    let stream = null, microphoneFailure = null;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
      cleanups.add(() => stream.getTracks().forEach((track) => track.stop()));
    } catch (e) {
      const name = e && e.name;
      microphoneFailure = (name === 'NotAllowedError' || name === 'SecurityError') ? 'permission_denied'
        : (name === 'NotFoundError' || name === 'OverconstrainedError') ? 'no_device' : 'error';
    }
    let devices = [];
    try { devices = await listDevices(); } catch (e) { devices = []; }
    const equipment = headsetEquipment(devices);
    step('devices', stream ? 'done' : 'failed');

    // 2. Idle latency.
    step('latency', 'running');
    setStatus('status.latency');
    const idle = await idleLatency(config.speed.ping, 12);
    step('latency', idle.length ? 'done' : 'failed');

    // 3. and 4. Throughput with latency under load.
    step('download', 'running');
    setStatus('status.download');
    const down = await throughput('download', config);
    step('download', down.mbps !== undefined ? 'done' : 'failed');
    step('upload', 'running');
    setStatus('status.upload');
    const up = await throughput('upload', config);
    step('upload', up.mbps !== undefined ? 'done' : 'failed');

    // 5. The call, the microphone level and the speaker at the same time.
    step('call', 'running');
    step('microphone', 'running');
    setStatus('status.call');
    const callStream = stream || toneStream(audio);
    const microphone = stream ? testMicrophone(audio, stream, 2).then((result) => { step('microphone', result.status === 'ok' ? 'done' : 'failed'); return result; })
      : Promise.resolve({ status: microphoneFailure }).then((result) => { step('microphone', 'failed'); return result; });
    const call = config.relay ? relayCall(config, callStream).then((result) => {
      step('call', result && result.transport === 'udp' ? 'done' : result ? 'failed' : 'skipped');
      return result;
    }) : Promise.resolve(null).then(() => { step('call', 'skipped'); return null; });
    const speaker = speakerTest(audio, config.speaker_answer_seconds);
    const [mic, relay, heard] = await Promise.all([microphone, call, speaker]);
    if (mic.device === undefined) delete mic.device;

    // 6. The report.
    step('send', 'running');
    setStatus('status.send');
    const facts = await browserFacts();
    const finishedAt = new Date();
    const network = {
      download_mbps: round(down.mbps, 2), upload_mbps: round(up.mbps, 2),
      latency_idle_ms: summary(idle), latency_loaded_down_ms: summary(down.loaded), latency_loaded_up_ms: summary(up.loaded),
      method: {
        server: location.origin, download_streams: down.streams, upload_streams: up.streams,
        download_seconds: round(down.steadySeconds, 2), upload_seconds: round(up.steadySeconds, 2),
        download_bytes: down.bytes, upload_bytes: up.bytes, latency_transport: 'tcp', jitter_formula: 'rfc3550',
        notes: ['browser self-test: HTTP round trips for latency; jitter and loss from a WebRTC audio call through the TURN relay',
          'upload bytes counted by the ' + up.counted + (up.stable ? '; upload steady' : '') + (down.stable ? '; download steady' : '')],
      },
    };
    if (relay && relay.transport) {
      network.jitter_ms = relay.jitter_ms;
      network.loss_percent = relay.loss_percent;
      // The packet counts let the server decide loss by its confidence interval, as for the agent's probes.
      const counted = (relay.packets_received || 0) + (relay.packets_lost || 0);
      if (relay.transport === 'udp' && counted > 0) network.udp_probes = { sent: counted, lost: relay.packets_lost || 0 };
      network.udp_blocked = relay.transport !== 'udp';
    }
    const browser = Object.assign(facts, {
      microphone: mic, speaker: heard, devices, relay: relay || undefined,
      test_seconds: round((now() - pageStart) / 1000, 1),
    });
    const report = {
      schema_version: 1,
      report_id: crypto.randomUUID ? crypto.randomUUID() : fallbackUUID(),
      agent: { employee_id: 'self-test', hostname: 'browser' },
      profile: { id: 'self-test', version: 1 },
      started_at: startedAt.toISOString(), finished_at: finishedAt.toISOString(),
      verdict: 'incomplete', findings: [], source: 'browser',
      network, equipment, browser,
      tool: { name: 'homeready-selftest', version: '1', platform: facts.os || 'browser' },
    };
    const answer = await send(report);
    for (const fn of cleanups) { try { fn(); } catch (e) { /* done */ } }
    cleanups.clear();
    if (!answer) { step('send', 'failed'); return; }
    step('send', 'done');
    setStatus('status.done');
    const heading = $('progress-h');
    heading.dataset.i18n = 'progress.done';
    heading.textContent = tt('progress.done');
    lastResult = { answer, report };
    renderResult(lastResult);
    $('result').focus();
  }

  function fallbackUUID() {
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  }

  // Sends the report (the same report_id on every retry: the server stores it once).
  async function send(report) {
    for (let attempt = 0; attempt < 3 && !signal.aborted; attempt++) {
      try {
        const response = await fetch(base + '/report', {
          method: 'POST', signal, cache: 'no-store',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body: JSON.stringify(report),
        });
        const payload = await response.json().catch(() => null);
        if (response.ok) return payload;
        const code = payload && payload.code;
        showError(code || 'generic');
        return null;
      } catch (e) {
        if (signal.aborted) return null;
        await sleep(1000 * (attempt + 1));
      }
    }
    showError('send_failed');
    return null;
  }

  // ---------------------------------------------------------------- the result
  function format(value) {
    if (value === null || value === undefined) return '';
    if (typeof value === 'number') return number(value, Number.isInteger(value) ? 0 : 2);
    if (typeof value === 'boolean') return value ? '✓' : '✗';
    return String(value);
  }

  // A number in the reader's locale (es-MX writes 1,234.5 like en-US; other locales differ).
  function number(value, decimals) {
    return new Intl.NumberFormat(HTML_LANG[lang] || lang, { minimumFractionDigits: decimals, maximumFractionDigits: decimals }).format(value);
  }

  // A figure in human units and a sensible precision: 28.1 Gbit/s, 950 Mbit/s, 4.8 Mbit/s, 35 ms, 0.40 %.
  // The same rules as the server's Localizer.quantity (Sources/HomeReadyLocalization/Localizer.swift).
  function quantity(value, unit) {
    if (typeof value !== 'number') return format(value);
    const size = Math.abs(value), whole = Number.isInteger(value);
    switch (unit) {
      case 'Mbit/s':
        if (size >= 1000) return number(value / 1000, size >= 100000 ? 0 : 1) + ' Gbit/s';
        return number(value, size >= 100 || whole ? 0 : size >= 1 ? 1 : 2) + ' Mbit/s';
      case 'ms': return number(value, size >= 10 || whole ? 0 : 1) + ' ms';
      case '%': return number(value, whole || size >= 10 ? 0 : size >= 1 ? 1 : 2) + (lang === 'es' ? ' %' : '%');
      case 'dBFS': return number(value, 0) + ' dBFS';
      case 'MOS': return number(value, whole ? 0 : 1);
      default: return format(value) + (unit ? ' ' + unit : '');
    }
  }

  function findingText(finding, report) {
    let variant = null;
    if (finding.id === 'equipment.microphone' && report.browser.microphone) variant = report.browser.microphone.status;
    const keys = [];
    if (variant) keys.push(finding.id + '.' + finding.status + '.' + variant);
    keys.push(finding.id + '.' + finding.status);
    const vars = { measured: quantity(finding.measured, finding.unit), limit: quantity(finding.limit, finding.unit), unit: finding.unit || '' };
    let message = null, fix = null;
    for (const key of keys) { if (message === null) message = t('f.' + key, vars); if (fix === null) fix = t('fix.' + key, vars); }
    return { message: message || finding.message, fix: fix || finding.remediation || null };
  }

  function renderResult({ answer, report }) {
    const section = $('result');
    section.hidden = false;
    section.dataset.verdict = answer.verdict;
    $('verdict-title').textContent = tt('verdict.' + answer.verdict);
    // A campaign that needs the full check on a managed computer: the page's result cannot make the agent ready.
    const browserNotEnough = (answer.reason || '').includes('browser self-test cannot make this agent ready');
    $('verdict-text').textContent = tt(browserNotEnough ? 'verdict.text.browser_not_enough' : 'verdict.text.' + answer.verdict);
    const fixes = $('fixes');
    fixes.textContent = '';
    let count = 0;
    for (const finding of answer.findings || []) {
      if (!['fail', 'warn', 'error', 'inconclusive'].includes(finding.status)) continue;
      const text = findingText(finding, report);
      const item = document.createElement('li');
      item.dataset.finding = finding.id;
      item.dataset.status = finding.status;
      const strong = document.createElement('strong');
      strong.textContent = text.message;
      item.appendChild(strong);
      if (text.fix) {
        const p = document.createElement('p');
        p.textContent = text.fix;
        item.appendChild(p);
      }
      fixes.appendChild(item);
      count++;
    }
    $('no-fixes').hidden = count > 0;
    const figures = $('figures');
    figures.textContent = '';
    const n = report.network || {}, b = report.browser || {}, relay = b.relay || {};
    const rows = [
      ['figure.download', n.download_mbps !== undefined ? quantity(n.download_mbps, 'Mbit/s') : null],
      ['figure.upload', n.upload_mbps !== undefined ? quantity(n.upload_mbps, 'Mbit/s') : null],
      ['figure.latency_idle', n.latency_idle_ms ? quantity(n.latency_idle_ms.p50, 'ms') : null],
      ['figure.latency_loaded', n.latency_loaded_down_ms ? quantity(Math.max(n.latency_loaded_down_ms.p90 || 0, (n.latency_loaded_up_ms || {}).p90 || 0), 'ms') : null],
      ['figure.transport', b.relay ? tt('transport.' + (relay.transport || 'none')) : null],
      ['figure.relay_rtt', relay.rtt_ms !== undefined ? quantity(relay.rtt_ms, 'ms') : null],
      ['figure.jitter', relay.jitter_ms !== undefined ? quantity(relay.jitter_ms, 'ms') : null],
      ['figure.loss', relay.loss_percent !== undefined ? quantity(relay.loss_percent, '%') : null],
      ['figure.microphone', b.microphone ? tt('mic.' + b.microphone.status) + (b.microphone.rms_dbfs !== undefined ? ' (' + quantity(b.microphone.rms_dbfs, 'dBFS') + ')' : '') : null],
      ['figure.headset', (report.equipment || []).find((e) => e.kind === 'headset' && e.present)?.detail || tt('figure.none')],
      ['figure.browser', b.browser], ['figure.os', b.os], ['figure.cores', b.cpu_cores],
      ['figure.memory', b.memory_gb ? b.memory_gb + ' GB' : null],
    ];
    for (const [key, value] of rows) {
      if (value === null || value === undefined || value === '') continue;
      const dt = document.createElement('dt');
      dt.textContent = tt(key);
      const dd = document.createElement('dd');
      dd.textContent = String(value);
      dd.dataset.figure = key.slice('figure.'.length);
      figures.append(dt, dd);
    }
  }

  // ---------------------------------------------------------------- start
  async function init() {
    await setLanguage(pickLanguage(), false);
    if (body.dataset.unavailable) return;
    $('again').addEventListener('click', () => location.reload());
    try {
      config = await getJSON(base + '/config');
    } catch (e) {
      if (signal.aborted) return;
      showError(e.code || 'generic');
      return;
    }
    messages = Array.isArray(config.messages) ? config.messages : [];
    renderMessages();
    agentName = (config.agent && config.agent.name || '').split(' ')[0];
    if (agentName) $('greeting').textContent = tt('greeting.named', { name: agentName });
    const start = $('start');
    start.disabled = false;
    body.dataset.ready = 'true';
    start.addEventListener('click', () => {
      run().catch((e) => {
        if (signal.aborted) return;
        showError('generic');
        body.dataset.failure = String(e && (e.stack || e));
      });
    });
  }

  init().catch((e) => { body.dataset.failure = String(e && (e.stack || e)); });
})();
