"""The estate on disk: YAML with positions, schema checks, manifests, and the project.

`yamlsrc` (YAML that remembers lines), `schemas` (the JSON Schema contract),
`schemacheck` (errors at their line), `semantics` (rules a schema cannot say),
`estate` (load every manifest), `project` (estate + pins + eval suites).
"""
