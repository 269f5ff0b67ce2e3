"""The registry's pages: the enterprise list and page (registry), department imports (imports),
and the yearly reconciliation report (reconciliation)."""
