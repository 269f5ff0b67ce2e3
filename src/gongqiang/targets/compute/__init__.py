"""Pure computation of the targets app: imports nothing from Django (tested without a database)."""

from .checks import check_value
from .decomposition import SumCheck, check_sum
from .defs import county_def, is_additive, is_flow, target_def
from .model import ON_TIME, STATUS_COLOURS, STATUS_LABELS, Bound, Point, Progress, Rules, Status, TargetDef
from .periods import Period, PeriodError, parse_period, year_period
from .progress import annual_points, evaluate, meets, trajectories, with_override
from .ranking import CountyScore, rank_counties

__all__ = [
    "ON_TIME", "STATUS_COLOURS", "STATUS_LABELS", "Bound", "CountyScore", "Period", "PeriodError", "Point",
    "Progress", "Rules", "Status", "SumCheck", "TargetDef", "annual_points", "check_sum", "check_value",
    "county_def", "evaluate", "is_additive", "is_flow", "meets", "parse_period", "rank_counties", "target_def",
    "trajectories", "with_override", "year_period",
]
