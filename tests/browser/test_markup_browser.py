"""Markup in data never becomes a fetch, a link or styled text in the real browser.

A listener on 127.0.0.1 (a thread of this test) stands for an attacker's server:
the hostile file's column names and group values point at it as images and
links. Every page is visited with that file trained on; the listener must
receive no request, and the DOM must hold no link or styled span from the data.
"""

from __future__ import annotations

import http.server
import threading
from typing import ClassVar

import numpy as np
import pandas as pd
import pytest

from tests.browser.helpers import open_page, wait_idle

pytestmark = pytest.mark.browser

PAGES = ["Data & model", "Mitigate", "Compare", "Explore", "Discover", "What-if", "Report"]
SENSITIVE = "Sensitive features (their combinations form the groups)"


class _Listener(http.server.BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def do_GET(self):
        type(self).requests.append(self.path)
        self.send_response(204)
        self.end_headers()

    do_POST = do_HEAD = do_GET

    def log_message(self, *args):
        pass


@pytest.fixture
def listener():
    _Listener.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Listener)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Listener.requests
    server.shutdown()
    server.server_close()


def hostile_csv(base: str) -> tuple[bytes, str, list[str]]:
    """The file, its image-named column, and the hostile group values."""
    column = f"![c]({base}/column.png)"
    sex = [f'<a href="{base}/link">m</a>', '<span style="font-size:90px">f</span>']
    race = [f"<img src={base}/img.png>", "$x^2$", "**b**"]
    rng = np.random.default_rng(1)
    n = 600
    s, r, x = rng.choice(sex, n), rng.choice(race, n), rng.normal(size=n)
    y = (x + (s == sex[0]) + rng.normal(scale=0.8, size=n) > 0.5).astype(int)
    frame = pd.DataFrame({column: s, "race": r, "x": x, f"![n]({base}/note.png)": 1, "y": y})
    text = frame.to_csv(index=False)
    # A repeated header, so the read note quoting it is shown too.
    text = text.replace(f"![n]({base}/note.png)", column, 1)
    return text.encode(), column, [*sex, *race]


_FROM_DATA = """(base) => {
    const found = [];
    for (const a of document.querySelectorAll('a')) {
        const href = a.getAttribute('href') || a.getAttribute('xlink:href') || '';
        if (href.startsWith(base) || href.startsWith('http://x')) {
            const box = a.closest('[data-testid]');
            found.push('a ' + href + ' in ' + (box ? box.dataset.testid : '?'));
        }
    }
    for (const el of document.querySelectorAll('[src], [href], [style]')) {
        const src = (el.getAttribute('src') || '') + (el.getAttribute('href') || '');
        if (src.includes(base)) found.push(el.tagName + ' ' + src);
        const style = (el.getAttribute('style') || '').replace(/\\s/g, '');
        if (style.includes('font-size:90px')) found.push(el.tagName + ' style ' + style);
    }
    for (const el of document.querySelectorAll('.katex, .MathJax, mjx-container')) {
        found.push('math ' + el.textContent);
    }
    return found;
}"""


def _check(page, base: str, where: str) -> None:
    wait_idle(page)
    page.wait_for_timeout(1500)  # let charts draw and images (if any) start loading
    found = page.evaluate(_FROM_DATA, base)
    assert found == [], (where, found)


def test_every_page_with_a_hostile_file_fetches_nothing(page, listener):
    from playwright.sync_api import expect

    base, requests = listener
    content, column, values = hostile_csv(base)
    open_page(page, "Data & model")
    page.get_by_text("Upload a file").click()
    wait_idle(page)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        files=[{"name": "<b>hostile</b> $x$ ![f](x.png).csv", "mimeType": "text/csv",
                "buffer": content}])
    wait_idle(page)
    expect(page.locator('[data-testid="stAlertContentError"]')).to_have_count(0)
    # The hostile names are on the page, as text.
    note = page.locator('[data-testid="stAlertContentInfo"]').filter(
        has_text="repeats the column name").first
    expect(note).to_be_visible()
    assert f"renamed '{column}.1'" in note.inner_text().replace("\u2060", "")
    for name in (column, "race"):
        page.get_by_role("combobox", name=SENSITIVE).click()
        page.get_by_role("listbox").get_by_role("option", name=name, exact=True).click()
        page.keyboard.press("Escape")
        wait_idle(page)
    page.get_by_role("button", name="Train model").click()
    wait_idle(page)
    expect(page.locator('[data-testid="stAlertContentError"]')).to_have_count(0)
    expect(page.locator('[data-testid="stPlotlyChart"] .main-svg').first).to_be_visible()
    _check(page, base, "Data & model")
    # The group values are drawn as text in the chart's ticks.
    ticks = " ".join(page.locator('[data-testid="stPlotlyChart"] .xtick, '
                                  '[data-testid="stPlotlyChart"] .ytick').all_text_contents())
    assert "<span" in ticks or "<a href" in ticks, ticks

    for title in PAGES[1:]:
        open_page(page, title)
        if title == "What-if":
            page.get_by_text("One threshold per group").click()
            wait_idle(page)
            labels = " ".join(page.locator('[data-testid="stSlider"] label').all_text_contents())
            assert values[0] in labels or values[1] in labels, labels
        expect(page.locator('[data-testid="stException"]')).to_have_count(0)
        _check(page, base, title)
    assert requests == []
