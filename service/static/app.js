// claimwire newsroom view: keeps a page current without a reload.
// The page's [data-live] element names a stream URL (Server-Sent Events of the change feed, service/live.py),
// a version URL (tiny JSON) and a fragment URL (server-rendered, already-escaped HTML). When a change (or a
// `refresh`) arrives on the stream, the fragment is fetched and swapped in; the browser's EventSource
// reconnects by itself and resumes with Last-Event-ID. Without EventSource, or when the stream keeps failing,
// the version is polled every few seconds instead. Focus, open <details> and scroll position survive the
// swap; new articles are highlighted.
(function () {
  "use strict";
  var root = document.querySelector("[data-live]");
  if (!root || !window.fetch) return;
  var status = document.getElementById("live-status");
  var version = root.getAttribute("data-version");
  var versionUrl = root.getAttribute("data-version-url");
  var fragmentUrl = root.getAttribute("data-fragment-url");
  var pollMs = Math.max(1, parseFloat(root.getAttribute("data-poll-seconds") || "3")) * 1000;
  var streamUrl = root.getAttribute("data-stream-url");
  var eventId = root.getAttribute("data-event");  // the event page's event (merged away: follow it)
  var failures = 0;
  var timer = null;
  var source = null;
  var streamErrors = 0;
  var fetching = false;
  var again = false;

  function setStatus(text, state) {
    if (!status) return;
    if (status.textContent !== text) status.textContent = text;
    status.setAttribute("data-state", state);
  }

  function clock() {
    var d = new Date();
    return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2) + ":" + ("0" + d.getSeconds()).slice(-2);
  }

  function ids(selector) {
    var out = {};
    root.querySelectorAll(selector).forEach(function (el) { out[el.getAttribute("data-article-id") || el.getAttribute("data-event-id")] = true; });
    return out;
  }

  function swap(html, newVersion) {
    var active = document.activeElement;
    var activeId = active && root.contains(active) ? active.id : null;
    var activeHref = active && root.contains(active) && !activeId ? active.getAttribute("href") : null;
    var openDetails = [];
    root.querySelectorAll("details[open]").forEach(function (d) { openDetails.push(d.className); });
    var before = ids("[data-article-id], tr[data-event-id]");
    var scrollY = window.scrollY;

    var doc = new DOMParser().parseFromString("<!doctype html><body>" + html, "text/html");
    var nodes = Array.prototype.slice.call(doc.body.childNodes).map(function (n) { return document.importNode(n, true); });
    root.replaceChildren.apply(root, nodes);
    version = newVersion;
    root.setAttribute("data-version", version);

    openDetails.forEach(function (cls) {
      var d = cls ? root.querySelector("details." + cls.split(" ")[0]) : null;
      if (d) d.open = true;
    });
    var added = 0;
    root.querySelectorAll("[data-article-id], tr[data-event-id]").forEach(function (el) {
      var key = el.getAttribute("data-article-id") || el.getAttribute("data-event-id");
      if (!before[key]) { el.classList.add("is-new"); added += 1; setTimeout(function () { el.classList.remove("is-new"); }, 8000); }
    });
    var target = activeId ? document.getElementById(activeId) : activeHref ? root.querySelector('a[href="' + CSS.escape(activeHref) + '"]') : null;
    if (target) target.focus({ preventScroll: true });
    window.scrollTo(0, scrollY);
    var count = document.getElementById("article-count");
    setStatus("Updated " + clock() + (added ? " — " + added + " new" : "") + (count ? " — " + count.textContent + " articles" : ""), "updated");
  }

  function schedule() {
    clearTimeout(timer);
    var delay = document.hidden ? pollMs * 5 : pollMs * Math.min(10, Math.pow(2, failures));
    timer = setTimeout(poll, delay);
  }

  function poll() {
    fetch(versionUrl, { cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok) throw new Error("status " + r.status);
        return r.json();
      })
      .then(function (data) {
        if (data.redirect) { window.location.assign(data.redirect); return null; }
        if (data.version === version) return null;
        return fetch(fragmentUrl, { cache: "no-store" }).then(function (r) {
          if (!r.ok) throw new Error("status " + r.status);
          var fragmentVersion = r.headers.get("X-Claimwire-Version") || data.version;
          return r.text().then(function (html) { swap(html, fragmentVersion); });
        });
      })
      .then(function () {
        if (failures) setStatus("Live again " + clock(), "idle");
        failures = 0;
      })
      .catch(function () {
        failures += 1;
        setStatus("Cannot reach claimwire — retrying", "error");
      })
      .then(schedule);
  }

  // --- Server-Sent Events ---------------------------------------------------------------------------

  function refresh() {
    // one fragment request at a time; changes arriving meanwhile get one more afterwards
    if (fetching) { again = true; return; }
    fetching = true;
    again = false;
    fetch(fragmentUrl, { cache: "no-store" })
      .then(function (r) {
        if (r.status === 404) return null;
        if (!r.ok) throw new Error("status " + r.status);
        var fragmentVersion = r.headers.get("X-Claimwire-Version") || version;
        return r.text().then(function (html) { swap(html, fragmentVersion); });
      })
      .catch(function () { setStatus("Cannot reach claimwire — retrying", "error"); again = true; })
      .then(function () {
        fetching = false;
        if (again) setTimeout(refresh, 250);
      });
  }

  function onChange(message) {
    var change = null;
    try { change = JSON.parse(message.data); } catch (e) { change = null; }
    if (change && change.kind === "events.merged" && eventId && change.data && String(change.data.from_event_id) === eventId) {
      window.location.assign("/ui/events/" + change.data.into_event_id);
      return;
    }
    refresh();
  }

  function listen() {
    source = new EventSource(streamUrl);
    root.setAttribute("data-transport", "sse");
    source.addEventListener("open", function () {
      if (streamErrors) refresh();  // what happened while disconnected that left no change record
      streamErrors = 0;
      setStatus("Live", "idle");
    });
    source.addEventListener("change", onChange);
    source.addEventListener("refresh", function () { refresh(); });
    source.addEventListener("redirect", function (message) {
      try { window.location.assign(JSON.parse(message.data).url); } catch (e) { /* ignore */ }
    });
    source.addEventListener("error", function () {
      streamErrors += 1;
      setStatus("Reconnecting to claimwire…", "error");
      if (source.readyState === EventSource.CLOSED || streamErrors > 5) {
        source.close();
        source = null;
        root.setAttribute("data-transport", "poll");
        schedule();  // the stream is not to be had here: poll the version instead
      }
    });
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && !source) { clearTimeout(timer); poll(); }
  });
  if (streamUrl && window.EventSource) {
    listen();
  } else {
    root.setAttribute("data-transport", "poll");
    schedule();
  }
})();
