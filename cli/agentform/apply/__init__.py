"""Execute a plan through the SDK: `run` (the apply) and `runner` (one change), `writes`
(retries that never duplicate), `pool` (bounded, in dependency order), `reconcile`
(creates that raced), `lock` (one apply per pins file); and the commands that change
what agentform manages: `adopt` (`import`), `forget`, `mv`."""
