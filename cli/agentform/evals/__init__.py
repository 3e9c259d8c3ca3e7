"""Eval suites: score agent versions on a labelled test set, and gate pins on the result.

- `suite`: `evals/<name>.yaml` -> Suite (validated, every problem with its file and line)
- `scoring`: one reply against one case's expected value (pure)
- `results`: runs -> per-label accuracy, deltas, pass@K / pass^K, the gate decision (pure)
- `runner`: every case in its own session, with bounded concurrency (SDK calls)
- `render`: a comparison as text, Markdown or JSON
- `workflow`: resolve versions, compare them, promote a pin, gate `apply`

Only `suite`, `scoring` and `results` are imported by `validate`: no SDK there.
"""
