from __future__ import annotations

STAFF = frozenset({"admin", "city", "leader", "department", "county"})
WRITERS = frozenset({"admin", "city", "department", "county"})
