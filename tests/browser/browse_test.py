"""Drive a generated project's entity browser in headless Chromium, as a person would.

Usage: python browse_test.py PROJECT_DIR [SCREENSHOT_DIR]

Migrates a fresh SQLite database, makes an organization and an admin with
the project's own CLI, starts the app with uvicorn, then in the browser:

- signs in; the entity browser lists the entities (GET /api/browse says
  which) as buttons;
- creates a record of an entity that refers to no other through its form
  (every required field filled as its kind asks), and sees it in the list;
- creates a record of an entity that must refer to the first, choosing the
  first record in the reference's drop-down, and sees it in the list with
  that reference (when the model has such a pair);
- edits the first record and sees the change;
- axe-core finds no serious or critical accessibility violation;
- at a phone's width (390 px) nothing scrolls sideways; screenshots go to
  SCREENSHOT_DIR.

Prints one line per check and exits 0 when all of it holds.
"""

import datetime as dt
import sys
from pathlib import Path
from typing import Any

from harness import axe_violations, chromium, no_sideways_scroll, served, sign_in
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait


def entities(driver: WebDriver) -> list[dict[str, Any]]:
    """What GET /api/browse answers the signed-in page."""
    return driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch('/api/browse', {credentials: 'same-origin'}).then((r) => r.json()).then((b) => done(b.entities));"
    )


def fill(driver: WebDriver, entity: dict[str, Any], text: str) -> None:
    """Every required field of the open form, as its kind asks."""
    now = dt.datetime.now(dt.UTC)
    for f in entity["fields"]:
        if not (f["required"] and f["create"]):
            continue
        node = driver.find_element(By.ID, "field-" + f["key"])
        if node.tag_name == "select":
            Select(node).select_by_index(1)
        elif f["kind"] == "boolean":
            node.click()
        elif f["kind"] in ("integer", "bigint", "numeric"):
            node.send_keys("7")
        elif f["kind"] == "date":
            driver.execute_script("arguments[0].value = arguments[1]", node, now.date().isoformat())
        elif f["kind"] == "timestamp":
            driver.execute_script("arguments[0].value = arguments[1]", node, now.strftime("%Y-%m-%dT%H:%M:%S"))
        elif f["kind"] == "uuid":
            node.send_keys("00000000-0000-4000-8000-000000000001")
        else:
            node.send_keys(text[: f["length"] or None])


def rows(driver: WebDriver) -> list[str]:
    return [tr.text for tr in driver.find_elements(By.CSS_SELECTOR, "#entity-rows tbody tr")]


def create(driver: WebDriver, wait: WebDriverWait, entity: dict[str, Any], text: str) -> str:
    """Creates one record through the form; its key, read from the list."""
    driver.find_element(By.CSS_SELECTOR, f".entity-tab[data-entity='{entity['key']}']").click()
    wait.until(lambda d: d.find_element(By.ID, "entity-title").text == entity["name"])
    wait.until(ec.element_to_be_clickable((By.ID, "entity-new"))).click()
    wait.until(ec.visibility_of_element_located((By.ID, "entity-form")))
    before = {r.get_attribute("data-id") for r in driver.find_elements(By.CSS_SELECTOR, "#entity-rows tbody tr")}
    fill(driver, entity, text)
    driver.find_element(By.ID, "entity-save").click()
    wait.until(lambda d: d.find_element(By.ID, "entity-status").text == "Saved." or d.find_element(By.ID, "entity-error").is_displayed())
    error = driver.find_element(By.ID, "entity-error")
    assert not error.is_displayed(), f"saving {entity['key']}: {error.text}"
    after = [r.get_attribute("data-id") for r in driver.find_elements(By.CSS_SELECTOR, "#entity-rows tbody tr")]
    new = [i for i in after if i not in before]
    assert len(new) == 1, (entity["key"], before, after)
    return new[0]


def main() -> int:
    project = str(Path(sys.argv[1]).resolve())
    shots = Path(sys.argv[2] if len(sys.argv) > 2 else Path(project) / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    with served(project) as app, chromium(project) as driver:
        wait = WebDriverWait(driver, 20)
        driver.get(app.base + "/")
        sign_in(driver, wait)
        wait.until(ec.visibility_of_element_located((By.ID, "browser-view")))
        known = entities(driver)
        tabs = [b.get_attribute("data-entity") for b in driver.find_elements(By.CSS_SELECTOR, ".entity-tab")]
        assert tabs == [e["key"] for e in known], (tabs, known)
        print(f"browser: signed in; the entity browser lists {len(tabs)} entities")

        def refs(e: dict[str, Any]) -> set[str]:
            return {f["reference"] for f in e["fields"] if f["reference"] and f["required"] and f["create"]}

        writable = [e for e in known if e["writable"]]
        # A pair when the model has one: a whole, then a part that must refer to it.
        pairs = [(a, b) for b in writable for a in writable if a is not b and not refs(a) and refs(b) == {a["key"]}]
        first = pairs[0][0] if pairs else next((e for e in writable if not refs(e)), None)
        assert first is not None, f"no writable entity without a required reference among {[e['key'] for e in writable]}"
        ident = create(driver, wait, first, "Made in the browser")
        print(f"browser: created {first['key']} {ident} through its form; the list shows it")

        second = pairs[0][1] if pairs else None
        if second is not None:
            other = create(driver, wait, second, "Second record")
            row = driver.find_element(By.CSS_SELECTOR, f"#entity-rows tbody tr[data-id='{other}']").text
            shown = [f["key"] for f in second["fields"]][:6]
            if any(f["reference"] == first["key"] for f in second["fields"] if f["key"] in shown):
                assert ident in row, (ident, row)
            print(f"browser: created {second['key']} {other} referring to {first['key']} {ident} through the drop-down")

        editable = [f for f in first["fields"] if f["edit"] and f["kind"] in ("string", "text") and not f["reference"]]
        driver.find_element(By.CSS_SELECTOR, f".entity-tab[data-entity='{first['key']}']").click()
        button = f"#entity-rows tbody tr[data-id='{ident}'] button"
        wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, button))).click()
        wait.until(ec.visibility_of_element_located((By.ID, "entity-form")))
        if editable:
            node = driver.find_element(By.ID, "field-" + editable[0]["key"])
            node.clear()
            node.send_keys("Edited")
        driver.find_element(By.ID, "entity-save").click()
        wait.until(lambda d: d.find_element(By.ID, "entity-status").text == "Saved.")
        if editable:
            row = driver.find_element(By.CSS_SELECTOR, f"#entity-rows tbody tr[data-id='{ident}']").text
            assert "Edited" in row or editable[0]["key"] not in [f["key"] for f in first["fields"]][:6], row
            print(f"browser: edited {first['key']} {ident}: {editable[0]['key']} now reads 'Edited'")

        bad = axe_violations(driver)
        assert not bad, f"accessibility, entity browser: {bad}"
        print("browser: axe-core finds no serious or critical violation in the entity browser")
        driver.save_screenshot(str(shots / "browser-desktop.png"))
        overflow = no_sideways_scroll(driver)
        assert overflow <= 0, f"the page scrolls sideways by {overflow}px at a phone's width"
        driver.save_screenshot(str(shots / "browser-phone.png"))
        print(f"browser: no sideways scroll at 390 px; screenshots in {shots}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
