"""Shared test set-up: hypothesis profiles.

``ci`` is deterministic and bounded (chosen when ``CI`` or ``HYPOTHESIS_PROFILE=ci`` is set);
``dev`` is the default; ``explore`` runs many more examples for a local hunt.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=150,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile("explore", max_examples=5000, deadline=None)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)
