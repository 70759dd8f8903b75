"""Drive a generated dashboard in Debian's headless Chromium, as a person would.

Usage: python dashboard_test.py PROJECT_DIR [SCREENSHOT_DIR]

Migrates a fresh SQLite database, creates an organization, an admin and an
API key with the project's own CLI, ingests events with known answers (three
daily active users today, a purchase of 226400 USD cents, sessions of
281000 ms, events ten days ago), runs the scheduled aggregation, starts the
app with uvicorn, then in the browser:

- before sign-in: no "Sign out" button; the page's title is the project's;
- signs in; the daily_active_users card shows 3, the revenue card $2,264.00,
  the session card 4 min 41 s, each with "data as of"; the weekly active
  users card its change against yesterday (+300 %); monthly recurring
  revenue per plan ($49.00 pro, $10.00 for a yearly $120.00 basic plan) and
  churn as a percentage;
- the activation funnel shows 4, 2 and 1 actors with their step
  conversions (50 %, 50 %); the signup cohorts table has the 4 members;
- the 30-day preset puts range=30 in the URL and the chart's first date is
  29 days back; the points sit on a date axis (the ten-day gap is ten days
  wide); the multi-series chart has a legend;
- axe-core finds no serious or critical accessibility violation, signed out
  and signed in;
- at a phone's width (390 px) nothing scrolls sideways;
- screenshots at desktop and phone widths go to SCREENSHOT_DIR;
- the session cookie is not readable by scripts; signs out.

Prints one line per check and exits 0 when all of it holds.
"""

import datetime as dt
import json
import sys
import urllib.request
import uuid
from pathlib import Path

from harness import App, axe_violations, chromium, no_sideways_scroll, served, sign_in
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait


def main() -> int:
    project = str(Path(sys.argv[1]).resolve())
    shots = Path(sys.argv[2] if len(sys.argv) > 2 else Path(project) / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    with served(project) as app:
        return check(app, shots)


def check(app: App, shots: Path) -> int:
    base, key, project = app.base, app.api_key, app.project
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    earlier = now - dt.timedelta(days=10)

    def event(name: str, user: str, at: dt.datetime, **more: object) -> dict[str, object]:
        return {"id": str(uuid.uuid4()), "name": name, "user_id": user, "occurred_at": at.isoformat(), **more}

    # Three distinct users log in today (one of them twice): 3 daily active users.
    rows = [event("login", u, now) for u in ["ada", "grace", "linus", "ada"]]
    rows.append(event("signup", "zed", now))
    rows.append(event("purchase", "ada", now, plan="pro", revenue_cents=226400))
    rows += [event("session", u, now, duration_ms=281000) for u in ["ada", "grace"]]
    rows += [event("login", "ada", earlier), event("view", "ada", earlier)]
    # The funnel: four sign up, two activate, one of them buys (ada, above), within 14 days.
    days = lambda n: now - dt.timedelta(days=n)
    rows += [event("signup", "ada", days(9)), event("signup", "grace", days(9)), event("signup", "linus", days(8))]
    rows += [event("activation", "ada", days(8)), event("activation", "grace", days(2))]

    def post(entity: str, batch: list[dict[str, object]]) -> None:
        req = urllib.request.Request(
            f"{base}/api/ingest/{entity}",
            data=json.dumps(batch).encode(),
            headers={"Content-Type": "application/json", "X-API-Key": key},
            method="POST",
        )
        with urllib.request.urlopen(req, timeout=10) as r:
            assert r.status in (200, 201), r.status

    post("events", rows)

    def subscription(customer: str, plan: str, cents: int, months: int, start: int, end: int | None) -> dict[str, object]:
        return {
            "id": str(uuid.uuid4()), "customer_id": customer, "plan": plan, "amount_cents": cents,
            "interval_months": months, "started_at": days(start).isoformat(),
            "ended_at": days(end).isoformat() if end is not None else None,
        }

    post("subscriptions", [
        subscription("acme", "pro", 4900, 1, 40, None),
        subscription("globex", "basic", 12000, 12, 20, None),
        subscription("initech", "pro", 4900, 1, 60, 5),
    ])
    app.cli("-m", "app.jobs.aggregate")

    with chromium(project) as driver:
        return in_the_browser(driver, base, now, earlier, shots)


def in_the_browser(driver: WebDriver, base: str, now: dt.datetime, earlier: dt.datetime, shots: Path) -> int:
    wait = WebDriverWait(driver, 20)
    driver.get(base + "/")
    wait.until(ec.visibility_of_element_located((By.ID, "login-form")))
    assert not driver.find_element(By.ID, "logout-button").is_displayed(), "Sign out shows before sign-in"
    title = driver.find_element(By.ID, "app-title").text
    assert title == driver.title and title, (title, driver.title)
    print(f"browser: before sign-in no Sign out button; title {title!r}")
    bad = axe_violations(driver)
    assert not bad, f"accessibility, signed out: {bad}"

    sign_in(driver, wait)

    def card(metric: str) -> str:
        selector = f".kpi-card[data-metric='{metric}'] .kpi-value"
        return wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, selector))).text.strip()

    value = card("daily_active_users")
    assert value == "3", f"daily_active_users card shows {value!r}, expected '3'"
    revenue, duration = card("monthly_revenue"), card("average_session_duration")
    assert revenue == "$2,264.00", revenue
    assert duration == "4 min 41 s", duration
    asof = driver.find_element(By.CSS_SELECTOR, ".kpi-card[data-metric='daily_active_users'] .kpi-asof").text
    assert asof.startswith("data as of "), asof
    print(f"browser: cards show {value} active users, {revenue} revenue, {duration} sessions, {asof!r}")
    yesterday = (now.date() - dt.timedelta(days=1)).isoformat()
    change = driver.find_element(By.CSS_SELECTOR, ".kpi-card[data-metric='weekly_active_users'] .kpi-change").text
    assert change == f"▲ +300 % vs {yesterday}", change
    mrr = sorted(e.text for e in driver.find_elements(By.CSS_SELECTOR, ".kpi-card[data-metric='monthly_recurring_revenue'] .kpi-value"))
    assert mrr == ["$10.00", "$49.00"], mrr
    churn = card("customer_churn_rate")
    assert churn.endswith(" %"), churn
    print(f"browser: weekly active users {change}; MRR cards {mrr}; churn {churn}")
    funnel = "#charts .chart[data-metric='activation_funnel']"
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, funnel + " .funnel-step"))
    steps = [e.text for e in driver.find_elements(By.CSS_SELECTOR, funnel + " .funnel-count")]
    assert steps == ["4 actors", "2 actors · 50 % of step 1", "1 actor · 50 % of step 2"], steps
    cohorts = "#charts .chart[data-metric='signup_cohorts'] table.cohorts"
    sizes = [int(e.text) for e in driver.find_elements(By.CSS_SELECTOR, cohorts + " .cohort-size")]
    heads = [e.text for e in driver.find_elements(By.CSS_SELECTOR, cohorts + " thead th")]
    assert sum(sizes) == 4 and heads[:3] == ["cohort", "size", "0"] and heads[-1] == "12", (sizes, heads)
    print(f"browser: funnel {steps}; cohort table of {len(sizes)} cohort(s), sizes {sizes}, offsets 0..12")

    driver.find_element(By.CSS_SELECTOR, ".range-preset[data-days='30']").click()
    wait.until(lambda d: "range=30" in d.current_url)
    first = (now.date() - dt.timedelta(days=29)).isoformat()
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".chart[data-metric='daily_event_volume'] .axis-date"))
    dates = [t.text for t in driver.find_elements(By.CSS_SELECTOR, ".chart[data-metric='daily_event_volume'] .axis-date")]
    assert dates[0] == first and dates[-1] == now.date().isoformat(), dates
    xs = {}
    for dot in driver.find_elements(By.CSS_SELECTOR, ".chart[data-metric='daily_active_users'] circle.point"):
        xs[dot.get_attribute("data-day")] = float(dot.get_attribute("cx"))
    gap = xs[now.date().isoformat()] - xs[earlier.date().isoformat()]
    per_day = (xs[now.date().isoformat()] - 56) / 29
    assert abs(gap - 10 * per_day) < 0.5, (xs, gap, per_day)
    legend = driver.find_elements(By.CSS_SELECTOR, ".chart[data-metric='daily_event_volume'] .legend li")
    assert len(legend) >= 3, [li.text for li in legend]
    print(f"browser: 30-day range in the URL, date axis {dates[0]} .. {dates[-1]}, ten-day gap ten days wide, legend of {len(legend)}")

    bad = axe_violations(driver)
    assert not bad, f"accessibility, signed in: {bad}"
    print("browser: axe-core finds no serious or critical violation, signed out or in")
    driver.save_screenshot(str(shots / "dashboard-desktop.png"))
    for name, selector in (("funnel", funnel), ("cohorts", cohorts)):
        driver.execute_script("document.querySelector(arguments[0]).scrollIntoView()", selector)
        driver.save_screenshot(str(shots / f"dashboard-{name}.png"))
    overflow = no_sideways_scroll(driver)
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at a phone's width"
    driver.save_screenshot(str(shots / "dashboard-phone.png"))
    print(f"browser: no sideways scroll at 390 px; screenshots in {shots}")

    # The session lives in an HttpOnly cookie: page scripts cannot read it.
    assert "session" not in driver.execute_script("return document.cookie"), "session cookie visible to scripts"
    driver.set_window_size(1280, 900)
    driver.find_element(By.ID, "logout-button").click()
    wait.until(ec.visibility_of_element_located((By.ID, "login-form")))
    print(f"browser: logged in, daily_active_users card shows {value}, logged out")
    return 0


if __name__ == "__main__":
    sys.exit(main())
