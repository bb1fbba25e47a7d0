"""Business-hours calendars: rules, their expansion into open intervals, and the clock."""
