"""Drive a generated dashboard in Debian's headless Chromium.

Usage: python dashboard_test.py PROJECT_DIR

Migrates a fresh SQLite database, creates an organization, an admin and an
API key with the project's own CLI, ingests login events with known answers,
runs the aggregation job, starts the app with uvicorn, then in the browser:
logs in, checks that the KPI card of daily_active_users shows the seeded
number, and logs out. Prints one line and exits 0 when all of it holds.
"""

import datetime as dt
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = os.environ.get("ARCHGEN_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("ARCHGEN_CHROMEDRIVER", "/usr/bin/chromedriver")
EMAIL = "admin@example.com"
PASSWORD = "correct horse battery staple 42"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    project = os.path.abspath(sys.argv[1])
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"sqlite:///{project}/browser-test.db",
        APP_ENV="development",
        COOKIE_SECURE="false",
        SECRET_KEY="browser-test-secret-0123456789abcdef0123456789",
    )

    def cli(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, *args], cwd=project, env=env, check=True, capture_output=True, text=True
        )
        return done.stdout.strip()

    cli("-m", "alembic", "upgrade", "head")
    org = cli("-m", "app.cli", "create-org", "Browser Test Org")
    cli("-m", "app.cli", "create-user", "--org", org, "--email", EMAIL, "--password", PASSWORD, "--role", "admin")
    key = cli("-m", "app.cli", "create-api-key", "--org", org)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port)],
        cwd=project,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    driver = None
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"{base}/health", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit("the app did not answer /health")

        # Three distinct users log in today (one of them twice): 3 daily active users.
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        rows = [
            {"id": str(uuid.uuid4()), "name": "login", "user_id": u, "occurred_at": now.isoformat()}
            for u in ["ada", "grace", "linus", "ada"]
        ]
        rows.append({"id": str(uuid.uuid4()), "name": "signup", "user_id": "zed", "occurred_at": now.isoformat()})
        req = urllib.request.Request(
            f"{base}/api/ingest/events",
            data=json.dumps(rows).encode(),
            headers={"Content-Type": "application/json", "X-API-Key": key},
            method="POST",
        )
        with urllib.request.urlopen(req, timeout=10) as r:
            assert r.status in (200, 201, 202), r.status
        day = now.date().isoformat()
        cli("-m", "app.jobs.aggregate", "--from", day, "--to", day)

        opts = Options()
        opts.binary_location = CHROMIUM
        for flag in [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage", f"--user-data-dir={project}/.chromium-profile",
        ]:
            opts.add_argument(flag)
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
        wait = WebDriverWait(driver, 20)
        driver.get(base + "/")
        wait.until(ec.visibility_of_element_located((By.ID, "login-form")))
        driver.find_element(By.ID, "login-email").send_keys(EMAIL)
        driver.find_element(By.ID, "login-password").send_keys(PASSWORD)
        driver.find_element(By.ID, "login-submit").click()
        card = wait.until(
            ec.visibility_of_element_located((By.CSS_SELECTOR, ".kpi-card[data-metric='daily_active_users'] .kpi-value"))
        )
        value = card.text.strip()
        assert value == "3", f"daily_active_users card shows {value!r}, expected '3'"
        # The session lives in an HttpOnly cookie: page scripts cannot read it.
        assert "session" not in driver.execute_script("return document.cookie"), "session cookie visible to scripts"
        driver.find_element(By.ID, "logout-button").click()
        wait.until(ec.visibility_of_element_located((By.ID, "login-form")))
        print(f"browser: logged in, daily_active_users card shows {value}, logged out")
        return 0
    finally:
        if driver is not None:
            driver.quit()
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
