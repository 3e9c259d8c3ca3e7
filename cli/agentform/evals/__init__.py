"""Eval suites: score agent versions (or the working tree's manifest) on a labelled test
set, compare them with statistics, and gate pins on the result.

- `suite`, `suite_model`, `suite_checks`: `evals/<name>.yaml` -> Suite (every problem
  with its file and line)
- `scoring`, `graders`: deterministic graders (JSON fields, equals, contains, regex, JSON
  Schema, Python functions, tool-use assertions); `judge`: the LLM judge (`rubric`),
  through the Messages API or Message Batches
- `grading`: one finished turn -> one RunResult; `cache`: turns and judge calls on disk
- `runner`: every run in its own session, async, bounded (SDK calls via remote)
- `results`: runs -> per-label tallies, pass@K / pass^K, flaky cases, cost, latency
- `stats`: paired bootstrap intervals and verdicts; `compare`: subjects vs the baseline;
  `gate`: worse / floors / budgets / inconclusive; `costs`: the price table
- `candidate`: the scratch agent of `--candidate manifest`
- `workflow`: resolve subjects and compare them; `promotion`: promote, the apply gate
- `render`, `render_markdown`, `render_json`, `report_html`: the reports

Only the suite modules (and what they import: `costs`, `stats`) are imported by
`validate`: no SDK there.
"""
