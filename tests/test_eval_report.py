"""The HTML report, opened in headless Chromium: self-contained, and showing the figures of
`--format json` once its script has run. A screenshot is saved beside the report.

Chromium is the distribution's package (`.ci/run` installs it with apt when missing); no
browser is downloaded here. Without it the test is skipped only where apt is unavailable.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.cli_helpers import agentform
from tests.estate import edit_prompt

FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
)  # fmt: skip
ROUTING_RULE = "ROUTING RULE: route anything about usage or request volume to api-platform.\n"


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if shutil.which("apt-get") is None:
        pytest.skip("no chromium or chromium-browser, and no apt-get to install one")
    pytest.fail("chromium is missing: `apt-get install -y chromium` (.ci/run does it as root)")


@pytest.fixture
def url(responder_url: str) -> str:
    return responder_url


def browse(page: Path, profile: Path, *args: str, fragment: str = "") -> str:
    address = page.as_uri() + (f"#{fragment}" if fragment else "")
    done = subprocess.run(
        [chromium(), *FLAGS, f"--user-data-dir={profile}", *args, address],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_html_report_shows_the_json_figures_in_chromium(
    estate: Path, url: str, tmp_path: Path
) -> None:
    assert agentform(estate, url, "apply", "--auto-approve").exit_code == 0
    edit_prompt(estate, ROUTING_RULE)
    report = tmp_path / "report.html"
    args = ("eval", "triage", "--candidate", "manifest", "--repeat", "2")
    made = agentform(estate, url, *args, "--format", "html", "--out", str(report))
    assert made.exit_code == 3, made.output
    as_json = agentform(estate, url, *args, "--format", "json")  # cached: the same runs
    data = json.loads(as_json.stdout)

    page = report.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)  # nothing to fetch
    assert "<link" not in page and "@import" not in page

    dom = browse(report, tmp_path / "profile", "--dump-dom")
    shown = _accuracy_cells(dom)
    for subject in data["subjects"]:
        for label in [*subject["labels"], "overall"]:
            figures = subject if label == "overall" else subject["labels"][label]
            cell = shown[(subject["name"], label)]
            assert cell["value"] == f"{figures['accuracy'] * 100:.1f}%"
            drawn = float(cell["width"].rstrip("%"))  # the bar, drawn by the script
            assert drawn == pytest.approx(round(figures["accuracy"] * 100, 1))
            low, high = figures["interval"]
            assert cell["interval"] == f"[{low * 100:.1f}%, {high * 100:.1f}%]"
            assert cell["count"] == f"{figures['passed']}/{figures['runs']}"
    deltas = _delta_cells(dom)
    for label, figures in data["comparisons"][0]["labels"].items():
        delta, low, high, verdict = deltas[label]
        assert (delta, low, high) == pytest.approx(
            (figures["delta"], *figures["interval"])
        )  # fmt: skip
        assert verdict == figures["verdict"]
    assert deltas["billing"][3] == "worse" and deltas["billing"][2] < 0
    gate = re.search(r'id="gate" data-outcome="(\w+)"', dom)
    assert gate is not None and gate.group(1) == data["gate"]["outcome"] == "worse"
    summary = re.search(r'id="summary"[^>]*>([^<]*)<', dom)
    assert summary is not None
    assert summary.group(1) == f"Showing 20 of 20 cases; {_changed(data)} changed between versions."
    # the three billing tickets that mention usage, and a 429 ticket whose priority changed
    assert _changed(data) == 4
    assert "<del>billing</del>" in dom or '<del>"billing",</del>' in dom  # the reply diff

    # Each case's cell per version shows that version's status, as the JSON has it.
    statuses = [_statuses(subject) for subject in data["subjects"]]
    rows = _case_rows(dom)
    assert [case for case, _, _ in rows] == list(statuses[0])
    for case, _, cells in rows:
        assert cells == [per_version[case] for per_version in statuses], case

    # The filters are in the address: a link opens the report filtered.
    only = _case_rows(browse(report, tmp_path / "profile", "--dump-dom", fragment="only-changed"))
    shown = [case for case, hidden, _ in only if not hidden]
    assert len(shown) == _changed(data) == 4
    assert shown == [case for case, (a, b) in _per_case_pairs(data).items() if a != b]
    found = browse(report, tmp_path / "profile", "--dump-dom", fragment="find=refund")
    hits = [(case, hidden) for case, hidden, _ in _case_rows(found)]
    wanted = {case for case, text in _inputs(dom).items() if "refund" in text.lower()}
    assert wanted and {case for case, hidden in hits if not hidden} == wanted
    summary = re.search(r'id="summary"[^>]*>([^<]*)<', found)
    assert summary is not None and summary.group(1).startswith(f"Showing {len(wanted)} of 20")

    shot = tmp_path / "report.png"
    browse(report, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1400,1800")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    print(f"report: {report}\nscreenshot: {shot}")


def _accuracy_cells(dom: str) -> dict[tuple[str, str], dict[str, str]]:
    found: dict[tuple[str, str], dict[str, str]] = {}
    for row in re.finditer(r'<tr data-label="([^"]+)">(.*?)</tr>', dom, re.S):
        for cell in re.finditer(r'<td class="accuracy" data-subject="([^"]+)">(.*?)</td>', row.group(2), re.S):  # fmt: skip
            body = cell.group(2)
            width = re.search(r'class="fill" style="width: ([\d.]+%);', body)
            value = re.search(r'class="value">([^<]+)<', body)
            muted = re.search(r'class="muted">(\d+/\d+) (\[[^\]]+\])<', body)
            assert width and value and muted, body
            found[(html.unescape(cell.group(1)), html.unescape(row.group(1)))] = {
                "width": width.group(1),
                "value": value.group(1),
                "count": muted.group(1),
                "interval": muted.group(2),
            }
    return found


def _delta_cells(dom: str) -> dict[str, tuple[float, float, float, str]]:
    found = {}
    for row in re.finditer(r'<tr data-label="([^"]+)">(.*?)</tr>', dom, re.S):
        cell = re.search(
            r'class="delta"[^>]*data-delta="([^"]+)" data-low="([^"]+)" data-high="([^"]+)"'
            r'.*?<span class="(\w+)">',
            row.group(2),
            re.S,
        )
        assert cell is not None
        found[row.group(1)] = (
            float(cell.group(1)), float(cell.group(2)), float(cell.group(3)), cell.group(4),
        )  # fmt: skip
    return found


def _case_rows(dom: str) -> list[tuple[str, bool, list[str]]]:
    """Each case row: its id, whether the filters hide it, its status per version."""
    rows = []
    for row in re.finditer(r'<tr data-case="([^"]+)"[^>]*?(class="hidden")?>(.*?)</tr>', dom, re.S):
        cells = re.findall(r'<span class="[^"]*status">([^<]*)</span>', row.group(3))
        rows.append((html.unescape(row.group(1)), row.group(2) is not None, cells))
    return rows


def _inputs(dom: str) -> dict[str, str]:
    rows = re.finditer(r'<tr data-case="([^"]+)"[^>]*>.*?<pre>(.*?)</pre>', dom, re.S)
    return {html.unescape(r.group(1)): html.unescape(r.group(2)) for r in rows}


def _statuses(subject: dict[str, Any]) -> dict[str, str]:
    """A case's cell text: its status, or `K/N passed` over repeats."""
    runs: dict[str, list[str]] = {}
    for result in subject["results"]:
        runs.setdefault(result["case"], []).append(result["status"])
    return {
        case: s[0] if len(s) == 1 else f"{s.count('passed')}/{len(s)} passed"
        for case, s in runs.items()
    }


def _per_case_pairs(data: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    def per_case(subject: dict[str, Any]) -> dict[str, tuple[Any, ...]]:
        runs: dict[str, list[Any]] = {}
        for result in subject["results"]:
            runs.setdefault(result["case"], []).append(result)
        return {
            case: (tuple(r["status"] for r in results), results[0]["reply"])
            for case, results in runs.items()
        }

    base, cand = (per_case(s) for s in data["subjects"])
    return {case: (base[case], cand[case]) for case in base}


def _changed(data: dict[str, Any]) -> int:
    return sum(base != cand for base, cand in _per_case_pairs(data).values())
