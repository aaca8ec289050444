"""Issue #12, item 6, in a real browser: Back after logout must not show the logged-in page.

Headless Chromium (Debian ``chromium`` + ``chromium-driver``) drives examples/app.py over real
HTTP: log in, see ``/me``, log out, press Back until ``/me``. Before, ``/me`` went out with no
``Cache-Control`` and Chromium showed alice's page again from its cache; now it is ``no-store`` and
the browser asks the server, which says 401. Browsers accept ``Secure``/``__Host-`` cookies over
plain HTTP only on ``localhost``, so the browser uses ``http://localhost:PORT``.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.chromium import body_text, localhost, wait_for_path
from tests.support.servers import serve

pytestmark = [pytest.mark.hostile, pytest.mark.e2e]


def test_back_after_logout_does_not_show_the_logged_in_page(browser: Any) -> None:
    from selenium.webdriver.common.by import By

    with serve("examples.app:app") as base:
        site = localhost(base)
        browser.get(site + "/login")
        browser.find_element(By.NAME, "username").send_keys("alice")
        browser.find_element(By.NAME, "password").send_keys("correct horse battery staple")
        browser.find_element(By.CSS_SELECTOR, "form[action='/login'] button").click()
        wait_for_path(browser, "/me")
        assert '"alice"' in body_text(browser)  # logged in: the page names the user

        browser.get(site + "/")
        browser.find_element(By.CSS_SELECTOR, "form[action='/logout'] button").click()
        wait_for_path(browser, "/")

        for _ in range(4):  # Back through the home page to /me
            browser.back()
            if browser.current_url.endswith("/me"):
                break
        assert browser.current_url.endswith("/me")
        shown = body_text(browser)
        assert "alice" not in shown, f"Back after logout showed the logged-in page: {shown!r}"
        assert "not-authenticated" in shown  # the browser asked the server again: 401
        browser.get(site + "/me")
        assert "not-authenticated" in body_text(browser)  # the logout itself worked
