"""The four competitive stages' rules, as the stage modules import them: they are decided in
tally/competitive.py (pure); this module only keeps the name the kiosk modules use."""

from __future__ import annotations

from tally.competitive import (
    CONSULTED_ROLES,
    FIVE_ROLES,
    LOOK_GRADES,
    LOOKS,
    STAGES,
    LevelProgress,
    PollStep,
    SurveyCounts,
    final_slate_size,
    missing_roles,
    pooled_satisfaction,
    progress,
    secretaries_slate_size,
    slate_problems,
)

__all__ = [
    "CONSULTED_ROLES", "FIVE_ROLES", "LOOK_GRADES", "LOOKS", "STAGES", "LevelProgress", "PollStep",
    "SurveyCounts", "final_slate_size", "missing_roles", "pooled_satisfaction", "progress",
    "secretaries_slate_size", "slate_problems",
]
