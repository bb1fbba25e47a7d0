"""Business-hours calendars: the text of hours and rules (:mod:`.hours`), their expansion into
open UTC intervals (:mod:`.rules`), the clock that answers queries by bisection over them
(:mod:`.clock`), and the public models (:mod:`.model`)."""

from .clock import BusinessClock
from .model import ALWAYS_OPEN_NAME, Calendar, Holiday, Season, always_open, clock_of

__all__ = [
    "ALWAYS_OPEN_NAME",
    "BusinessClock",
    "Calendar",
    "Holiday",
    "Season",
    "always_open",
    "clock_of",
]
