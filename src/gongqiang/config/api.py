"""Mounts every app's router on the one API (core defines it; apps add to it here, so core imports none)."""

from gongqiang.core.api import api
from gongqiang.enterprises.api import router as enterprises_router
from gongqiang.evaluation.api import router as evaluation_router
from gongqiang.supervision.api import router as supervision_router
from gongqiang.targets.api import router as targets_router

api.add_router("/enterprises", enterprises_router)
api.add_router("/targets", targets_router)
api.add_router("/evaluation", evaluation_router)
api.add_router("/supervision", supervision_router)

__all__ = ["api"]
