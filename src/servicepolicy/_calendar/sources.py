"""Holiday dates worked out a year at a time, when the clock first needs that year.

* :class:`CountryDates`: the public holidays of a country (and a subdivision of it), from the
  ``holidays`` package (``pip install 'servicepolicy[holidays]'``);
* :class:`HijriDates`: a date of the Hijri calendar (and the days after it), or a whole Hijri
  month, in the Umm al-Qura calendar of the ``hijridate`` package
  (``pip install 'servicepolicy[hijri]'``).

Both have the questions of :class:`~.recurrence.HolidayDates` (``between``, ``falls_on``) and
a name for each date (``name_on``).  There is no last year: each Gregorian year is worked out
once, on first use, and kept.  Both packages compute; neither reads a file or the network.
"""

from __future__ import annotations

import threading
from datetime import date, timedelta
from types import ModuleType
from typing import Any, Final

from .._common.errors import CalendarError
from .._common.messages import N_

HOLIDAYS_EXTRA: Final = "pip install 'servicepolicy[holidays]'"
HIJRI_EXTRA: Final = "pip install 'servicepolicy[hijri]'"

FIRST_HIJRI_YEAR: Final = 1343
LAST_HIJRI_YEAR: Final = 1500
HIJRI_RANGE: Final = "1343-1500 AH (1924-08-01 to 2077-11-16)"
"""The years the Umm al-Qura table of ``hijridate`` covers."""

_HIJRI_EPOCH: Final = date(622, 7, 16).toordinal()  # 1 Muharram 1 AH, by the arithmetic rule
_MEAN_HIJRI_YEAR: Final = 354.36667
_SLACK: Final = 40  # days: how far an estimated Hijri date can be from the true one, and more

_NEEDS_HOLIDAYS = N_("country holidays need the holidays package: {install}")
_NEEDS_HIJRIDATE = N_("Hijri dates need the hijridate package: {install}")
_UNKNOWN_COUNTRY = N_(
    "the holidays package has no country {country}; use an ISO 3166 code such as 'SA' or 'DE'"
)
_UNKNOWN_SUBDIVISION = N_(
    "{country} has no subdivision {subdivision} in the holidays package (it has: {known})"
)
_NO_SUBDIVISIONS = N_(
    "{country} has no subdivision {subdivision} in the holidays package (it has: none)"
)
_UNKNOWN_CATEGORY = N_(
    "{country} has no holiday category {category} in the holidays package (it has: {known})"
)


def holidays_module() -> ModuleType:
    """The ``holidays`` package; ``ValueError`` saying how to install it when it is missing."""
    try:
        import holidays
    except ImportError:
        raise ValueError(_NEEDS_HOLIDAYS.format(install=HOLIDAYS_EXTRA)) from None
    return holidays


def hijri_module() -> ModuleType:
    """The ``hijridate`` package; ``ValueError`` saying how to install it when it is missing."""
    try:
        import hijridate
    except ImportError:
        raise ValueError(_NEEDS_HIJRIDATE.format(install=HIJRI_EXTRA)) from None
    return hijridate


class YearlyDates:
    """Dates with names, worked out per Gregorian year by :meth:`_year` and kept."""

    __slots__ = ("_lock", "_years")

    def __init__(self) -> None:
        self._years: dict[int, dict[date, str]] = {}
        self._lock = threading.Lock()

    def _year(self, year: int) -> dict[date, str]:
        raise NotImplementedError

    def year(self, year: int) -> dict[date, str]:
        """The dates (and names) in the Gregorian ``year``."""
        found = self._years.get(year)
        if found is None:
            with self._lock:
                found = self._years.get(year)
                if found is None:
                    found = {d: n for d, n in self._year(year).items() if d.year == year}
                    self._years[year] = found
        return found

    def between(self, first: date, last: date) -> list[date]:
        """The dates from ``first`` up to, not including, ``last``, sorted."""
        found: list[date] = []
        for year in range(first.year, last.year + 1):
            found += [d for d in self.year(year) if first <= d < last]
        return sorted(found)

    def falls_on(self, day: date) -> bool:
        """Whether ``day`` is one of the dates."""
        return day in self.year(day.year)

    def name_on(self, day: date) -> str | None:
        """The name of ``day``, or None when it is not one of the dates."""
        return self.year(day.year).get(day)

    def _key(self) -> tuple[Any, ...]:
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, YearlyDates)
            and type(other) is type(self)
            and other._key() == self._key()
        )

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._key()))

    def __repr__(self) -> str:
        return f"{type(self).__name__}{self._key()!r}"


class CountryDates(YearlyDates):
    """The holidays of ``country`` (and ``subdivision``) in the ``holidays`` package, named in
    US English where the country has names in it (its own language otherwise)."""

    __slots__ = ("categories", "country", "subdivision")

    def __init__(
        self, country: str, subdivision: str | None = None, categories: tuple[str, ...] = ()
    ) -> None:
        super().__init__()
        self.country = country
        self.subdivision = subdivision
        self.categories = categories

    def _key(self) -> tuple[Any, ...]:
        return (self.country, self.subdivision, self.categories)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (CountryDates, self._key())

    def _year(self, year: int) -> dict[date, str]:
        module = holidays_module()
        kind = module.country_holidays(self.country, subdiv=self.subdivision).__class__
        options: dict[str, Any] = {"subdiv": self.subdivision, "years": year}
        if "en_US" in (getattr(kind, "supported_languages", ()) or ()):
            options["language"] = "en_US"
        if self.categories:
            options["categories"] = self.categories
        found: dict[date, str] = dict(module.country_holidays(self.country, **options))
        return found


def check_country(country: str, subdivision: str | None, categories: tuple[str, ...]) -> None:
    """``ValueError`` when the ``holidays`` package is missing or does not know the country,
    its subdivision or a category; ``(message, field)`` is in the error's args."""
    module = holidays_module()
    known = module.list_supported_countries()
    if country not in known:
        raise ValueError(_UNKNOWN_COUNTRY.format(country=repr(country)), "country")
    kind = module.country_holidays(country).__class__
    subdivisions = known[country]
    if subdivision is not None and subdivision not in subdivisions:
        template = _UNKNOWN_SUBDIVISION if subdivisions else _NO_SUBDIVISIONS
        message = template.format(
            country=country, subdivision=repr(subdivision), known=", ".join(subdivisions[:40])
        )
        raise ValueError(message, "subdivision")
    supported = tuple(getattr(kind, "supported_categories", ("public",)))
    for category in categories:
        if category not in supported:
            message = _UNKNOWN_CATEGORY.format(
                country=country, category=repr(category), known=", ".join(supported)
            )
            raise ValueError(message, "categories")


def _hijri_estimate(hijri_year: int, month: int, day: int) -> date:
    days = (hijri_year - 1) * _MEAN_HIJRI_YEAR + (month - 1) * 29.53 + day - 1
    return date.fromordinal(_HIJRI_EPOCH + int(days))


class HijriDates(YearlyDates):
    """The ``days`` dates from the ``day``-th of the Hijri ``month`` of every Hijri year
    (Umm al-Qura); ``days=0`` means the whole month.  The n-th day of a month is the month's
    first day plus n-1 days (so the 30th of a 29-day month is the 1st of the next one).

    A Gregorian year that would need a Hijri year outside :data:`HIJRI_RANGE` raises
    :class:`CalendarError` when it is worked out: no date is guessed.
    """

    __slots__ = ("day", "days", "label", "month")

    def __init__(self, month: int, day: int = 1, days: int = 1, label: str = "") -> None:
        super().__init__()
        self.month = month
        self.day = day
        self.days = days
        self.label = label

    def _key(self) -> tuple[Any, ...]:
        return (self.month, self.day, self.days, self.label)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (HijriDates, self._key())

    def _first_of(self, hijri_year: int, month: int) -> date:
        gregorian = hijri_module().Hijri(hijri_year, month, 1).to_gregorian()
        return date.fromordinal(gregorian.toordinal())

    def _year(self, year: int) -> dict[date, str]:
        found: dict[date, str] = {}
        approx = round((year - 622) * 365.2425 / _MEAN_HIJRI_YEAR) + 1
        for hijri_year in range(approx - 2, approx + 3):
            estimate = _hijri_estimate(hijri_year, self.month, self.day)
            if (
                not date(year, 1, 1) - timedelta(_SLACK + 30)
                <= estimate
                <= date(year, 12, 31) + timedelta(_SLACK)
            ):
                continue
            if not FIRST_HIJRI_YEAR <= hijri_year <= LAST_HIJRI_YEAR:
                what = f" ({self.label})" if self.label else ""
                raise CalendarError(
                    f"the Hijri date {self.month:02d}-{self.day:02d}{what} of {hijri_year} AH, "
                    f"needed for {year}, is outside the Umm al-Qura table of {HIJRI_RANGE}"
                )
            start = self._first_of(hijri_year, self.month) + timedelta(self.day - 1)
            if self.days:
                count = self.days
            else:
                nxt = (hijri_year, self.month + 1) if self.month < 12 else (hijri_year + 1, 1)
                if nxt[0] > LAST_HIJRI_YEAR:
                    raise CalendarError(
                        f"the end of Hijri month {self.month} of {hijri_year} AH, needed for "
                        f"{year}, is outside the Umm al-Qura table of {HIJRI_RANGE}"
                    )
                count = (self._first_of(*nxt) - start).days
            for k in range(count):
                found[start + timedelta(k)] = self.label
        return found
