// HomeReady live pages: listens to /events (Server-Sent Events) and swaps in the fresh fragment: the overview's
// (/overview/live), or the one a page names in data-live-src (a drill's /drills/{id}/live).
// Its texts come from the page (data-* attributes of #live-status, in the reader's language): none are written here.
(function () {
  "use strict";
  var target = document.getElementById("live-overview") || document.querySelector("[data-live-src]");
  var feed = document.getElementById("live-feed");
  var status = document.getElementById("live-status");
  if (!target || !window.EventSource) { return; }
  var texts = status ? status.dataset : {};
  function say(template, values) {
    if (!status || !template) { return; }
    status.textContent = template.replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : whole;
    });
  }
  // One fetch at a time; an event that arrives during a fetch triggers one more fetch after it, so a burst of
  // reports costs at most two fetches and the last state is always shown.
  var pending = false;
  var again = false;
  function refresh() {
    if (pending) { again = true; return; }
    pending = true;
    fetch(target.getAttribute("data-live-src") || "/overview/live", { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(new Error("HTTP " + r.status)); })
      .then(function (html) { target.innerHTML = html; })
      .catch(function (e) { say(texts.failed, { error: e.message }); })
      .finally(function () {
        pending = false;
        if (again) { again = false; refresh(); }
      });
  }
  function show(event) {
    var data;
    try { data = JSON.parse(event.data); } catch (e) { return; }
    if (feed) {
      var item = document.createElement("li");
      // A report's verdict in the reader's language (data-verdict-* on #live-status), else the English summary.
      var verdictKey = data.verdict ? "verdict" + data.verdict.split("_").map(function (word) {
        return word.charAt(0).toUpperCase() + word.slice(1);
      }).join("") : null;
      var summary = verdictKey && texts[verdictKey] ? texts[verdictKey] : data.summary;
      item.textContent = data.agentName + " (" + data.agentID + "): " + summary;
      item.className = "event-" + data.kind;
      feed.insertBefore(item, feed.firstChild);
      while (feed.children.length > 20) { feed.removeChild(feed.lastChild); }
    }
    var time = new Date(data.at).toLocaleTimeString(document.documentElement.lang || undefined, { timeZone: texts.timeZone || undefined });
    say(texts.lastEvent, { time: time });
    refresh();
  }
  var source = new EventSource("/events");
  ["report", "equipment", "alert"].forEach(function (kind) { source.addEventListener(kind, show); });
  source.onopen = function () { say(texts.connected, {}); };
})();
