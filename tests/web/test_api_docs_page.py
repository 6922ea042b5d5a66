"""/api/docs loads nothing from another origin and runs under the site's CSP."""

from __future__ import annotations

import re


def test_the_docs_page_references_only_its_own_files_and_carries_the_csp(client):
    page = client.get("/api/docs")
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "style-src 'self';" in csp and "unsafe" not in csp
    urls = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert urls and all(url.startswith("/") and not url.startswith("//") for url in urls), urls
    assert "<script>" not in page.text and "<style" not in page.text  # nothing inline
    for url in urls:
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert asset.headers["cache-control"].startswith("public, max-age=31536000"), url
    assert client.get("/api/openapi.json").status_code == 200
