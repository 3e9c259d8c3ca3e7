"""The estate on disk: YAML with positions, schema checks, manifests, and the project.

`yamlsrc` (YAML that remembers lines), `schemas` (the JSON Schema contract),
`schemacheck` (errors at their line), `estate` (load every manifest), `graph` (which
manifest names which by key: unknown keys, cycles, dependency order), `moved`
(`moved.yaml`: keys renamed by renaming files), `project` (estate + pins + eval
suites), `validation` (`validate`), `fmt` and `rewrite` (writing manifests back,
comments kept), `responder` (the emulator's rules file, checked).
"""
