"""The HTML report's stylesheet and script, inlined into the file (no network at view time).

The script draws each bar and interval from its `data-` attributes, counts and filters
the changed cases, and writes a summary line: the numbers it shows come from the same
attributes the page was rendered with.
"""

from __future__ import annotations

CSS = """
:root { --pass: #1a7f37; --fail: #cf222e; --err: #9a6700; --line: #d0d7de; --muted: #57606a; }
* { box-sizing: border-box; }
body { font: 14px/1.45 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 24px;
  color: #1f2328; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 28px 0 8px; }
.muted { color: var(--muted); }
.gate { padding: 10px 14px; border-radius: 6px; margin: 12px 0; font-weight: 600; }
.gate.passed { background: #dafbe1; } .gate.inconclusive { background: #fff8c5; }
.gate.refused { background: #ffebe9; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid var(--line); padding: 6px 8px; text-align: left;
  vertical-align: top; }
th { background: #f6f8fa; position: sticky; top: 0; }
.bars td { white-space: nowrap; }
.track { position: relative; width: 220px; height: 14px; background: #eaeef2;
  border-radius: 3px; display: inline-block; vertical-align: middle; margin-right: 8px; }
.fill { position: absolute; left: 0; top: 0; bottom: 0; background: #54aeff;
  border-radius: 3px; }
.ci { position: absolute; top: 6px; height: 2px; background: #0a3069; }
.ci::before, .ci::after { content: ""; position: absolute; top: -4px; width: 2px;
  height: 10px; background: #0a3069; }
.ci::before { left: 0; } .ci::after { right: 0; }
.better { color: var(--pass); font-weight: 600; } .worse { color: var(--fail); font-weight: 600; }
.inconclusive { color: var(--muted); }
.passed { color: var(--pass); } .failed { color: var(--fail); } .error { color: var(--err); }
pre { white-space: pre-wrap; word-break: break-word; margin: 0; font: 12px/1.4 ui-monospace,
  SFMono-Regular, Menlo, monospace; max-width: 420px; }
ins { background: #dafbe1; text-decoration: none; } del { background: #ffebe9; }
.grades { margin: 4px 0 0; padding-left: 16px; font-size: 12px; }
.controls { margin: 8px 0; display: flex; gap: 16px; align-items: center; }
tr.hidden { display: none; }
"""

JS = """
(function () {
  function pct(x) { return (100 * x).toFixed(1) + "%"; }
  document.querySelectorAll(".track").forEach(function (track) {
    var acc = parseFloat(track.dataset.accuracy), lo = parseFloat(track.dataset.low),
        hi = parseFloat(track.dataset.high);
    track.querySelector(".fill").style.width = pct(acc);
    var ci = track.querySelector(".ci");
    ci.style.left = pct(lo); ci.style.width = pct(Math.max(hi - lo, 0));
    track.title = pct(acc) + " (interval " + pct(lo) + " to " + pct(hi) + ")";
  });
  var rows = Array.prototype.slice.call(document.querySelectorAll("#cases tbody tr"));
  var changed = rows.filter(function (r) { return r.dataset.changed === "true"; }).length;
  var only = document.getElementById("only-changed"), find = document.getElementById("find");
  var summary = document.getElementById("summary");
  function apply() {
    var text = find.value.toLowerCase(), shown = 0;
    rows.forEach(function (r) {
      var hide = (only.checked && r.dataset.changed !== "true") ||
                 (text && r.textContent.toLowerCase().indexOf(text) < 0);
      r.classList.toggle("hidden", hide);
      if (!hide) { shown += 1; }
    });
    summary.textContent = "Showing " + shown + " of " + rows.length + " cases; " +
      changed + " changed between versions.";
    summary.dataset.shown = shown; summary.dataset.changed = changed;
  }
  // The filters live in the address (#only-changed&find=billing): a link to a report
  // opens it filtered, and a reviewer can share the view they are looking at.
  function load() {
    var state = new URLSearchParams(location.hash.slice(1));
    only.checked = state.has("only-changed"); find.value = state.get("find") || "";
  }
  function save() {
    var state = new URLSearchParams();
    if (only.checked) { state.set("only-changed", ""); }
    if (find.value) { state.set("find", find.value); }
    var hash = state.toString().replace("only-changed=", "only-changed");
    history.replaceState(null, "", hash ? "#" + hash : location.pathname + location.search);
  }
  only.addEventListener("change", function () { apply(); save(); });
  find.addEventListener("input", function () { apply(); save(); });
  window.addEventListener("hashchange", function () { load(); apply(); });
  load(); apply();
})();
"""
