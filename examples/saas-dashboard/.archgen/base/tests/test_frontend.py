"""The dashboard page: served locally, no inline script, stable element ids."""

import re

from fastapi.testclient import TestClient

from app.catalog import METRICS


def test_page_and_assets(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    html = r.text
    for element_id in ("login-form", "login-email", "login-password", "login-submit", "logout-button",
                       "browser-view", "entity-nav", "entity-rows", "entity-form"):
        assert f'id="{element_id}"' in html
    # The dashboard is there when the blueprint has metrics, and only then.
    for element_id in ("kpi-cards", "charts", "dashboard-view"):
        assert (f'id="{element_id}"' in html) == bool(METRICS)
    # Every script is an external file from this origin: no inline code, no CDN.
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    assert scripts
    for attrs, body in scripts:
        assert 'src="/static/' in attrs and body.strip() == ""
    assert "http://" not in html and "https://" not in html
    assert "unsafe-inline" not in r.headers["Content-Security-Policy"]
    js = client.get("/static/app.js")
    assert js.status_code == 200 and "X-CSRF-Token" in js.text
    assert client.get("/static/app.css").status_code == 200
