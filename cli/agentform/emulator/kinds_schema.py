"""SQLite tables for skills, vaults, memory stores and deployments.

Kept apart from `store.py`'s core schema so the two grow independently. Every statement
is `CREATE ... IF NOT EXISTS`: a database written by an older emulator opens unchanged
and gains these tables. Object tables follow the core layout (`id`, `workspace`,
`created_us`, `body` with the JSON as served) so `Store.page` can list them; anything the
API never returns (secrets, file archives, memory contents) lives in its own column.
"""

from __future__ import annotations

KIND_SCHEMA = """
CREATE TABLE IF NOT EXISTS skills (
    id TEXT NOT NULL, workspace TEXT NOT NULL, created_us INTEGER NOT NULL,
    source TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (workspace, id));
CREATE TABLE IF NOT EXISTS skill_versions (
    id TEXT NOT NULL, workspace TEXT NOT NULL, skill_id TEXT NOT NULL,
    created_us INTEGER NOT NULL, epoch TEXT NOT NULL, body TEXT NOT NULL,
    archive BLOB NOT NULL, PRIMARY KEY (workspace, skill_id, id));
CREATE TABLE IF NOT EXISTS vaults (
    id TEXT PRIMARY KEY, workspace TEXT NOT NULL, created_us INTEGER NOT NULL,
    archived INTEGER NOT NULL DEFAULT 0, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS vault_credentials (
    id TEXT PRIMARY KEY, workspace TEXT NOT NULL, vault_id TEXT NOT NULL,
    created_us INTEGER NOT NULL, archived INTEGER NOT NULL DEFAULT 0,
    body TEXT NOT NULL, secrets TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS vault_credentials_vault ON vault_credentials (vault_id, created_us);
CREATE TABLE IF NOT EXISTS memory_stores (
    id TEXT PRIMARY KEY, workspace TEXT NOT NULL, created_us INTEGER NOT NULL,
    archived INTEGER NOT NULL DEFAULT 0, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS memories (
    id TEXT PRIMARY KEY, workspace TEXT NOT NULL, store_id TEXT NOT NULL,
    path TEXT NOT NULL, created_us INTEGER NOT NULL, body TEXT NOT NULL,
    content TEXT NOT NULL, UNIQUE (store_id, path));
CREATE TABLE IF NOT EXISTS memory_versions (
    id TEXT PRIMARY KEY, workspace TEXT NOT NULL, store_id TEXT NOT NULL,
    memory_id TEXT NOT NULL, created_us INTEGER NOT NULL, operation TEXT NOT NULL,
    actor_type TEXT NOT NULL, actor_id TEXT NOT NULL, body TEXT NOT NULL, content TEXT);
CREATE INDEX IF NOT EXISTS memory_versions_store ON memory_versions (store_id, created_us);
CREATE TABLE IF NOT EXISTS deployments (
    id TEXT PRIMARY KEY, workspace TEXT NOT NULL, created_us INTEGER NOT NULL,
    archived INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL, agent_id TEXT NOT NULL,
    body TEXT NOT NULL, secrets TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS deployment_runs (
    id TEXT PRIMARY KEY, workspace TEXT NOT NULL, created_us INTEGER NOT NULL,
    deployment_id TEXT NOT NULL, trigger_type TEXT NOT NULL, has_error INTEGER NOT NULL,
    scheduled_us INTEGER, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS deployment_runs_deployment ON deployment_runs (deployment_id);
"""

KIND_TABLES = (
    "skills", "skill_versions", "vaults", "vault_credentials", "memory_stores",
    "memories", "memory_versions", "deployments", "deployment_runs",
)  # fmt: skip

# (timestamp column, table) pairs a restarted clock must not go behind.
KIND_CLOCK_SOURCES = [
    ("created_us", "skill_versions"), ("created_us", "vaults"),
    ("created_us", "vault_credentials"), ("created_us", "memory_stores"),
    ("created_us", "memory_versions"), ("created_us", "deployments"),
    ("created_us", "deployment_runs"),
]  # fmt: skip
