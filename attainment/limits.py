"""Hard and soft time limits of the recompute tasks, in seconds.

Apart from tasks.py because more than the tasks need them: the sweep judges a run "running"
past its hard limit to be dead, and the broker's visibility timeout is set above the longest.
"""

# A full recompute of a million figures takes minutes on two cores; the limits leave room
# for that and still stop a stuck task before the next night's run. The nightly run is one
# task per city, so its limit is that of the largest city, not of the country.
TARGETS_SOFT_TIME_LIMIT = 10 * 60
TARGETS_TIME_LIMIT = 11 * 60
CITY_SOFT_TIME_LIMIT = 50 * 60
CITY_TIME_LIMIT = 55 * 60


def hard_limit_for(trigger: str) -> int:
    """How long a run of this trigger may take before it is certainly dead, in seconds."""
    # Approval runs are recompute_targets tasks; nightly runs (one city each) and the
    # management command (which has no limit of its own) get a city's.
    return TARGETS_TIME_LIMIT if trigger == "approval" else CITY_TIME_LIMIT
