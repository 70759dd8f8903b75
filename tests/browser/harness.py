"""What the browser tests share: a generated project served by uvicorn on a
fresh SQLite database with an organization and an admin, headless Chromium,
signing in, and axe-core's verdict."""

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = os.environ.get("ARCHGEN_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("ARCHGEN_CHROMEDRIVER", "/usr/bin/chromedriver")
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
EMAIL = "admin@example.com"
PASSWORD = "correct horse battery staple 42"


@dataclass
class App:
    project: str
    base: str
    api_key: str
    env: dict[str, str]

    def cli(self, *args: str) -> str:
        return _run(self.project, self.env, *args)


def _run(project: str, env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, *args], cwd=project, env=env, check=True, capture_output=True, text=True)
    return done.stdout.strip()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def served(project: str) -> Iterator[App]:
    """The project migrated on a fresh SQLite file, an admin made, uvicorn answering."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"sqlite:///{project}/browser-test.db",
        APP_ENV="development",
        COOKIE_SECURE="false",
        SECRET_KEY="browser-test-secret-0123456789abcdef0123456789",
    )
    _run(project, env, "-m", "alembic", "upgrade", "head")
    org = _run(project, env, "-m", "app.cli", "create-org", "Browser Test Org")
    _run(project, env, "-m", "app.cli", "create-user", "--org", org, "--email", EMAIL, "--password", PASSWORD, "--role", "admin")
    key = _run(project, env, "-m", "app.cli", "create-api-key", "--org", org)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port)],
        cwd=project,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
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
        yield App(project, base, key, env)
    finally:
        server.terminate()
        server.wait(timeout=10)


@contextlib.contextmanager
def chromium(profile_dir: str | Path, *more_flags: str) -> Iterator[webdriver.Chrome]:
    """Headless Chromium at 1280x900, its profile in `profile_dir`/.chromium-profile."""
    opts = Options()
    opts.binary_location = CHROMIUM
    for flag in [
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", f"--user-data-dir={profile_dir}/.chromium-profile", "--window-size=1280,900",
        *more_flags,
    ]:
        opts.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.set_script_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def sign_in(driver: webdriver.Chrome, wait: WebDriverWait) -> None:
    wait.until(ec.visibility_of_element_located((By.ID, "login-form")))
    driver.find_element(By.ID, "login-email").send_keys(EMAIL)
    driver.find_element(By.ID, "login-password").send_keys(PASSWORD)
    driver.find_element(By.ID, "login-submit").click()


def axe_violations(driver: webdriver.Chrome) -> list[str]:
    """axe-core's serious and critical violations on the current page."""
    driver.execute_script(AXE.read_text())
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then((r) => done(r.violations));"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} on {len(v['nodes'])} node(s)"
        for v in result
        if v["impact"] in ("serious", "critical")
    ]


def no_sideways_scroll(driver: webdriver.Chrome) -> int:
    """At a phone's width (390 px): how far the page scrolls sideways (0 or less is none)."""
    driver.set_window_size(390, 844)
    time.sleep(0.5)
    return driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
