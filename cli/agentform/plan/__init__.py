"""desired x remote x pins -> Plan, and what reads plans: status and saved plans.

`normalize` (manifest and server in one shape), `fielddiff` (FieldChange records),
`requests` (the bodies apply sends), `build` (the Plan, pure), `status` (one row per
resource), `saved` (plan files with checksums).
"""
