"""What schema comparisons leave out: objects created by hand-written, dialect-specific migrations."""

from typing import Any

# The search index (migration 0002) is dialect-specific SQL that the models do not describe.
SEARCH_INDEX_PREFIXES = ("entity_search", "ix_entity_lower_")


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    return not (name or "").startswith(SEARCH_INDEX_PREFIXES)
