"""Two browser sessions at once never see each other's data or models.

One session uploads a CSV (after its uploader refuses a pickle) and trains; the
other, at the same time, trains on the bundled German credit data. Each must see
only its own data, groups and results, also after the other one has trained.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import pandas as pd
import pytest

from tests.browser.helpers import choose, open_page, wait_idle

pytestmark = pytest.mark.browser

SENSITIVE = "Sensitive features (their combinations form the groups)"
TEAMS = ["alpha", "beta", "gamma"]
GERMAN_SEXES = {"female", "male"}
UPLOAD_NAME = "session_a_loans.csv"


def _upload_csv() -> bytes:
    i = pd.Series(range(300))
    frame = pd.DataFrame(
        {
            "team": i.map(lambda k: TEAMS[k % 3]),
            "income": (i * 7919) % 1000,
            "approved": ((i * 13) % 7 < 3).map({True: "yes", False: "no"}),
        }
    )
    return frame.to_csv(index=False).encode()


class _Boom:
    def __reduce__(self):
        return (Path("/tmp/fairdash-browser-pickle-was-loaded").touch, ())


def _open(browser, app_url):
    context = browser.new_context(viewport={"width": 1400, "height": 2400})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(app_url)
    open_page(page, "Data & model")
    page.get_by_role("button", name="Train model").wait_for()
    wait_idle(page)
    return context, page


def _pick(page, label: str, option: str) -> None:
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("listbox").get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")
    wait_idle(page)


def _ticks(page) -> set[str]:
    ticks = page.locator('[data-testid="stPlotlyChart"] .xtick text')
    ticks.first.wait_for()
    return set(ticks.all_text_contents())


def _upload(page, name: str, content: bytes, mime: str) -> None:
    uploader = page.locator('[data-testid="stFileUploader"] input[type="file"]')
    uploader.set_input_files(files=[{"name": name, "mimeType": mime, "buffer": content}])
    wait_idle(page)


def test_two_sessions_never_see_each_others_data_or_models(browser, app_url):
    from playwright.sync_api import expect

    context_a, a = _open(browser, app_url)
    context_b, b = _open(browser, app_url)
    try:
        # A: the uploader refuses a pickle before FairDash sees it; then a CSV.
        a.get_by_text("Upload a file").click()
        wait_idle(a)
        _upload(a, "model.pkl", pickle.dumps(_Boom()), "application/octet-stream")
        expect(a.locator('[data-testid="stFileUploader"]')).to_contain_text("not allowed")
        expect(a.get_by_text("Choose a file to upload")).to_be_visible()
        assert not Path("/tmp/fairdash-browser-pickle-was-loaded").exists()
        _upload(a, UPLOAD_NAME, _upload_csv(), "text/csv")
        expect(a.get_by_text(f"{UPLOAD_NAME}: 300 rows, 3 columns")).to_be_visible()

        # B, meanwhile: the bundled German credit data.
        choose(b, "Data set", "Statlog German Credit (preprocessed)")
        expect(b.get_by_text("german: 1,000 rows")).to_be_visible()

        # A picks its groups and trains; then B trains.
        _pick(a, SENSITIVE, "team")
        a.get_by_role("button", name="Train model").click()
        wait_idle(a)
        b.get_by_role("button", name="Train model").click()
        wait_idle(b)

        for page in (a, b):
            expect(page.locator('[data-testid="stAlertContentError"]')).to_have_count(0)
        assert _ticks(a) == set(TEAMS)
        b_ticks = _ticks(b)
        assert len(b_ticks) == 8  # 2 sexes x 4 age bins
        assert {t.split(" × ")[0] for t in b_ticks} == GERMAN_SEXES

        # Each sees only its own data and results.
        expect(a.get_by_text("german: 1,000 rows")).to_have_count(0)
        expect(b.get_by_text(UPLOAD_NAME)).to_have_count(0)
        for team in TEAMS:
            expect(b.locator('[data-testid="stPlotlyChart"]').get_by_text(team, exact=True)
                   ).to_have_count(0)
        expect(a.get_by_text("Results: Logistic regression on 90 test rows")).to_be_visible()
        expect(b.get_by_text("Results: Logistic regression on 300 test rows")).to_be_visible()

        # B retrains with another seed; A's next rerun still shows A's model only.
        b.get_by_role("spinbutton", name="Random seed").fill("7")
        b.keyboard.press("Enter")
        wait_idle(b)
        b.get_by_role("button", name="Train model").click()
        wait_idle(b)
        a.get_by_text("Hide groups with fewer than 30 rows in the chart").click()
        wait_idle(a)
        assert _ticks(a) == set(TEAMS)
        expect(a.get_by_text("Results: Logistic regression on 90 test rows")).to_be_visible()
        expect(a.get_by_text(f"{UPLOAD_NAME}: 300 rows, 3 columns")).to_be_visible()
        assert {t.split(" × ")[0] for t in _ticks(b)} == GERMAN_SEXES
    finally:
        context_a.close()
        context_b.close()
