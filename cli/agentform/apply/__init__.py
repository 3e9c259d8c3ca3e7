"""Execute a plan through the SDK: `run` (the apply), `writes` (retries that never
duplicate), `adopt` (`agentform import`)."""
