"""The 亩产效益 evaluation engine: pure Polars and plain Python, no Django.

`evaluate(frame, method, year=…, previous=…)` takes one row per enterprise (metric columns in the
catalogue's stored units, item flags as 0/1 columns) and returns one row per enterprise with every step
of the method as columns. See docs/evaluation.md.
"""

from .engine import EvaluationResult, evaluate
from .quotas import Quota, quotas_for

__all__ = ["EvaluationResult", "Quota", "evaluate", "quotas_for"]
