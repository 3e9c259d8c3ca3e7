"""desired x remote x pins -> Plan, and what reads plans: status and saved plans.

`model` (Change, Note, Drift, Plan: plain data), `build` (the Plan, pure), `moves`
(moved.yaml entries planned as moves), `archives` (what no manifest wants any more),
`fielddiff` (FieldChange records), `requests` (the bodies apply sends), `steps` (writes
beyond a body, as shown), `secrets` (never in a plan), `status` (one row per resource),
`saved` (plan files with checksums), `refresh` (`--refresh-only`).
"""
