"""core's operations; other apps call these, never core's views."""
