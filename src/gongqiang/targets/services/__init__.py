"""The targets app's operations: catalog (the pack's targets), progress, observations, imports, splits."""
