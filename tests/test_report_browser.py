"""report (issue 15) in a real browser: Debian's Chromium, headless, driven by selenium through
Debian's chromedriver, opens the page from a file:// URL (no server) and checks what a reviewer
sees: no console error, every image decoded, every link of the contents leads to its section,
fda_pfs's outcome table with the rows of FDA situations B1-B9, a KM plot, and a hostile label
shown as text with no script run. Skipped, with the reason, without Chromium, selenium or the km
extra (.ci/run installs Chromium for the km jobs)."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest
from conftest import EXAMPLES
from test_explain import FDA_ROWS

from endpointdsl.api import report

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
HOSTILE = "</table><script>window.__hostile = 1; alert(1)</script>"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists() or not CHROMEDRIVER.exists(),
                       reason="no /usr/bin/chromium and /usr/bin/chromedriver (apt-get install chromium chromium-driver)"),
    pytest.mark.skipif(importlib.util.find_spec("selenium") is None, reason="selenium is not installed"),
    pytest.mark.skipif(importlib.util.find_spec("lifelines") is None or importlib.util.find_spec("matplotlib") is None,
                       reason="the KM plot needs the km extra (lifelines, matplotlib)"),
]  # fmt: skip


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-dev-shm-usage",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):  # fmt: skip
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def fda_page(tmp_path_factory):
    """fda_pfs with a hostile label on PFS, its example data, grouped by a column of adsl."""
    folder = tmp_path_factory.mktemp("fda")
    text = (EXAMPLES / "fda_pfs.ept").read_text(encoding="utf-8")
    label = '"Progression-Free Survival, FDA Censoring (Days)"'
    assert label in text
    (folder / "fda_pfs.ept").write_text(text.replace(label, f'"{HOSTILE}"'), encoding="utf-8")
    shutil.copytree(EXAMPLES / "fda_data", folder / "data")
    page = folder / "report.html"
    page.write_text(
        report(folder / "fda_pfs.ept", folder / "data", at=[180], engine="compiled").html, "utf-8"
    )
    return page


def _severe(driver) -> list[dict]:
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def test_the_report_in_chromium(browser, fda_page):
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By

    browser.get(fda_page.as_uri())
    assert browser.execute_script("return document.readyState") == "complete"
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018 (the hostile script did not run)
    assert browser.execute_script("return window.__hostile === undefined")
    assert browser.find_elements(By.TAG_NAME, "script") == []
    heading = browser.find_element(By.CSS_SELECTOR, "#explain-PFS h2").text
    assert heading == f"PFS: {HOSTILE}"  # the label as text
    images = browser.find_elements(By.TAG_NAME, "img")
    assert images and all(browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth", i) > 0
                          for i in images)  # fmt: skip
    plot = browser.find_element(By.CSS_SELECTOR, "#km-PFS img")
    assert plot.get_attribute("alt") == "Kaplan-Meier plot of PFS" and plot.size["width"] > 100
    links = browser.find_elements(By.CSS_SELECTOR, "#contents a")
    assert len(links) >= 4
    for link in links:
        target = link.get_attribute("hash")[1:]
        assert browser.execute_script("return document.getElementById(arguments[0]) !== null", target), target
        link.click()  # the page scrolls to the section: the URL's fragment is the section's
        assert browser.execute_script("return location.hash") == f"#{target}"
    rows = browser.find_elements(By.CSS_SELECTOR, "#explain-PFS table tr")
    keys = {r.find_elements(By.TAG_NAME, "td")[0].text for r in rows if r.find_elements(By.TAG_NAME, "td")}
    assert set(FDA_ROWS.values()) <= keys  # the row of each of B1-B9
    assert _severe(browser) == []  # no console error
