"""Headless Chromium for tests that need a real browser (Debian ``chromium`` + ``chromium-driver``).

Browsers accept ``Secure``/``__Host-`` cookies over plain HTTP only on ``localhost``, so tests open
the app as ``http://localhost:PORT`` (:func:`localhost`)."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.services import unavailable

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


@pytest.fixture
def browser() -> Iterator[Any]:
    """A headless Chromium WebDriver; skipped where Chromium is missing (failed under CI=true, whose
    .ci/run installs it, like every other service the tests need)."""
    if CHROMIUM is None or CHROMEDRIVER is None:
        unavailable("needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)")
    from selenium import webdriver  # the dev extra

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(20)
    try:
        yield driver
    finally:
        driver.quit()


def localhost(base: str) -> str:
    """``base`` (``http://127.0.0.1:PORT``) as the browser must open it to keep Secure cookies."""
    return base.replace("127.0.0.1", "localhost")


def body_text(driver: Any) -> str:
    text: str = driver.execute_script("return document.body ? document.body.innerText : ''")
    return text


def wait_for_path(driver: Any, path: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not driver.current_url.endswith(path):
        if time.monotonic() > deadline:
            raise AssertionError(f"expected {path}, browser is at {driver.current_url}")
        time.sleep(0.05)
