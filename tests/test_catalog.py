"""The light table of kinds (what the caller API and usage checks read) says what the
kind modules say: adding a kind is its module plus one row."""

from __future__ import annotations

from agentform.catalog import CATALOG
from agentform.kinds import KINDS
from agentform.manifests.schemas import KINDS as SCHEMA_KINDS
from agentform.pins.model import SECTIONS, VERSION_PREFIXES, VERSIONED


def test_every_kind_module_has_its_row_in_the_same_order() -> None:
    assert [e.name for e in CATALOG] == [k.name for k in KINDS]
    for entry, kind in zip(CATALOG, KINDS, strict=True):
        assert (entry.plural, entry.id_prefix) == (kind.plural, kind.id_prefix), kind.name
        assert (entry.versioned, entry.marked) == (kind.versioned, kind.marked), kind.name


def test_the_pins_file_and_the_schemas_follow_the_catalog() -> None:
    assert tuple(k.plural for k in KINDS) == SECTIONS
    assert {k.plural for k in KINDS if k.versioned} == VERSIONED
    assert set(VERSION_PREFIXES) <= VERSIONED  # versions that are ids: of versioned kinds
    assert set(SCHEMA_KINDS) == {k.schema or k.name for k in KINDS} | {"pins", "eval"}
