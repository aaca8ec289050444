"""Issue #14, stale pages, in a real browser: headless Chromium against examples/app.py over HTTP.

Before: a page opened before a login in another tab answered "Log out" and "Add to cart" with 403
raw JSON ("Cross-site request refused") and the session stayed alive; logging in from a login form
left open (or reached with Back) was a 403 too. Now a same-origin logout or login needs no fresh
token, and a refused form shows an HTML "page expired" page with a way back.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.chromium import body_text, localhost, wait_for_path
from tests.support.servers import serve

pytestmark = [pytest.mark.hostile, pytest.mark.e2e]

USER, PASSWORD = "alice", "correct horse battery staple"


def log_in(driver: Any) -> None:
    from selenium.webdriver.common.by import By

    for name, value in (("username", USER), ("password", PASSWORD)):
        field = driver.find_element(By.NAME, name)
        field.clear()  # a page restored with Back keeps what was typed
        field.send_keys(value)
    driver.find_element(By.CSS_SELECTOR, "form[action='/login'] button").click()


def click(driver: Any, form_action: str) -> None:
    from selenium.webdriver.common.by import By

    driver.find_element(By.CSS_SELECTOR, f"form[action='{form_action}'] button").click()


def logged_in_elsewhere(driver: Any, site: str) -> tuple[str, str]:
    """Open a second tab, log in there; ``(old tab, new tab)`` window handles, old one current."""
    old = driver.current_window_handle
    driver.switch_to.new_window("tab")
    driver.get(site + "/login")
    log_in(driver)
    wait_for_path(driver, "/me")
    assert f'"{USER}"' in body_text(driver)
    new = driver.current_window_handle
    driver.switch_to.window(old)
    return old, new


def test_a_login_form_opened_before_logging_in_elsewhere_still_logs_in(browser: Any) -> None:
    with serve("examples.app:app") as base:
        site = localhost(base)
        browser.get(site + "/login")  # this tab's form holds a pre-session token
        logged_in_elsewhere(browser, site)  # ... which this login retires
        log_in(browser)
        wait_for_path(browser, "/me")
        assert f'"{USER}"' in body_text(browser)


def test_back_then_log_in_again(browser: Any) -> None:
    with serve("examples.app:app") as base:
        site = localhost(base)
        browser.get(site + "/login")
        log_in(browser)
        wait_for_path(browser, "/me")
        browser.back()
        wait_for_path(browser, "/login")
        log_in(browser)
        wait_for_path(browser, "/me")
        assert f'"{USER}"' in body_text(browser)


def test_a_tab_opened_before_login_can_log_out(browser: Any) -> None:
    with serve("examples.app:app") as base:
        site = localhost(base)
        browser.get(site + "/")  # the home page's forms hold pre-session tokens
        logged_in_elsewhere(browser, site)
        click(browser, "/logout")
        wait_for_path(browser, "/")
        assert "Sentinel example shop" in body_text(browser)
        browser.get(site + "/me")
        assert "not-authenticated" in body_text(browser)  # the session really ended


def test_a_refused_form_shows_an_html_page_not_json(browser: Any) -> None:
    from selenium.webdriver.common.by import By

    with serve("examples.app:app") as base:
        site = localhost(base)
        browser.get(site + "/")
        logged_in_elsewhere(browser, site)
        click(browser, "/cart")  # its token was retired by the login: refused, as it must be
        wait_for_path(browser, "/cart")
        shown = body_text(browser)
        assert "This page has expired" in shown, shown
        assert '"type"' not in shown and "Cross-site request refused" not in shown
        browser.find_element(By.CSS_SELECTOR, "a[href='/']").click()  # the Referer: the home page
        wait_for_path(browser, "/")
        click(browser, "/cart")  # the reloaded page has a fresh token: the cart works
        wait_for_path(browser, "/cart")
        assert '"cart":1' in body_text(browser).replace(" ", "")
