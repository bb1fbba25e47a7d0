"""Headless Chromium for the tests that render a page: the browser (or a skip, or in CI a
failure), and a screenshot of a page with the browser's log."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest


def chromium() -> str:
    """The browser's path; skips the test where it is missing, fails it in CI."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        if os.environ.get("CI"):
            pytest.fail("CI installs chromium (see .ci/run); it is missing")
        pytest.skip("chromium is not installed on this machine (CI installs it)")
    return browser


def screenshot(page: Path, shot: Path, *, size: str = "1000,1600") -> list[str]:
    """Render ``page`` into the PNG ``shot``; the console errors the page logged (none
    expected).  A browser that fails fails the test."""
    done = subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={shot.with_suffix('.profile')}",
            "--enable-logging=stderr",
            "--v=0",
            f"--screenshot={shot}",
            f"--window-size={size}",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return [line for line in done.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
