"""The report and the inspector in a real headless browser (Chromium through Selenium): filter,
open a document, read its removed lines and their reasons, navigate, and check that hostile
document text stays text."""

from __future__ import annotations

import pytest

pytest.importorskip("selenium", reason="selenium is not installed (pip install -e '.[test]')")

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from tests.conftest import HOSTILE_ID  # noqa: E402


def navigate(browser, action) -> None:
    """Run `action` (a click, a submit) and wait until the next page has replaced this one."""
    old = browser.find_element(By.TAG_NAME, "html")
    action()
    WebDriverWait(browser, 10).until(EC.staleness_of(old))


def test_filter_open_a_document_and_read_why_lines_were_removed(browser, inspector, screenshot_dir):
    browser.get(inspector)
    total = int(browser.find_element(By.ID, "count").text.split()[0].replace(",", ""))
    Select(browser.find_element(By.ID, "f-lang")).select_by_value("ar")
    Select(browser.find_element(By.ID, "f-reason")).select_by_value("leading-block")
    navigate(browser, browser.find_element(By.ID, "apply").click)
    count = int(browser.find_element(By.ID, "count").text.split()[0])
    assert 0 < count < total
    rows = browser.find_elements(By.CSS_SELECTOR, "#docs tr td:nth-child(3)")
    assert {r.text for r in rows} == {"ar"} and len(rows) == count
    browser.save_screenshot(str(screenshot_dir / "inspect-list.png"))

    navigate(browser, browser.find_elements(By.CLASS_NAME, "doc-link")[0].click)
    first_id = browser.find_element(By.ID, "doc-id").text
    assert first_id.startswith("ar-")
    removed = browser.find_elements(By.CSS_SELECTOR, "#text del.rm")
    assert removed, "the removed lines are shown, struck through"
    assert removed[0].value_of_css_property("text-decoration-line") == "line-through"
    tags = [t.text for t in browser.find_elements(By.CSS_SELECTOR, "#text .tag")]
    assert any(t.startswith("leading-block score") and "< min" in t for t in tags)
    # Arabic lines read right to left; the labels stay left to right.
    kept_line = browser.find_element(By.CSS_SELECTOR, "#text .ln:not(.gone)")
    assert kept_line.value_of_css_property("direction") == "rtl"
    assert browser.find_element(By.CSS_SELECTOR, "#text .tag").value_of_css_property("direction") == "ltr"
    browser.save_screenshot(str(screenshot_dir / "inspect-document.png"))

    # "hide removed text" shows the cleaned document.
    browser.find_element(By.ID, "hide").click()
    assert not removed[0].is_displayed()

    navigate(browser, browser.find_element(By.ID, "next").click)  # next document within the same filter
    second_id = browser.find_element(By.ID, "doc-id").text
    assert second_id != first_id and second_id.startswith("ar-")
    navigate(browser, browser.find_element(By.ID, "prev").click)
    assert browser.find_element(By.ID, "doc-id").text == first_id


def test_hostile_document_text_stays_text(browser, inspector, screenshot_dir):
    browser.get(inspector)
    box = browser.find_element(By.ID, "f-q")
    box.send_keys("pwned")
    navigate(browser, box.submit)
    links = {a.text: a for a in browser.find_elements(By.CLASS_NAME, "doc-link")}
    assert set(links) == {HOSTILE_ID, "hostile-short"}
    navigate(browser, links[HOSTILE_ID].click)
    text = browser.find_element(By.ID, "text").text
    assert "<script>window.__pwned = 1</script>" in text
    assert '<img src=x onerror="window.__pwned=2">' in text
    assert browser.execute_script("return window.__pwned === undefined")
    assert not browser.find_elements(By.CSS_SELECTOR, "#text script, #text img")
    assert browser.find_element(By.ID, "doc-id").text == HOSTILE_ID
    browser.save_screenshot(str(screenshot_dir / "inspect-hostile.png"))


def test_report_in_the_browser_links_into_the_inspector(browser, inspector, web_report, screenshot_dir):
    browser.get(web_report.as_uri())  # offline, as a file
    assert browser.find_element(By.TAG_NAME, "h1").text == "What tamis removed, and why"
    charts = browser.find_elements(By.CSS_SELECTOR, "figure svg")
    assert len(charts) >= 6 and all(c.size["width"] > 300 for c in charts[:3])
    browser.save_screenshot(str(screenshot_dir / "report.png"))

    browser.get(inspector + "report")  # served by the inspector, its links point to it
    navigate(browser, browser.find_element(By.LINK_TEXT, "hostile-short").click)
    assert browser.find_element(By.ID, "doc-id").text == "hostile-short"
    assert browser.find_element(By.ID, "decision").text == "rejected"
    assert "min_words" in browser.find_element(By.ID, "reasons").text
