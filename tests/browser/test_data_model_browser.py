"""The real server, Debian's chromium: Adult, sex x race, logistic regression."""

import pytest

from tests.browser.helpers import choose, open_page, wait_idle

pytestmark = pytest.mark.browser


def select_in_multiselect(page, label: str, option: str) -> None:
    box = page.get_by_role("combobox", name=label)
    box.click()
    page.get_by_role("listbox").get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")
    wait_idle(page)


def test_adult_sex_race_logistic_regression(page):
    from playwright.sync_api import expect

    open_page(page, "Data & model")
    expect(page.get_by_role("button", name="Train model")).to_be_visible()
    wait_idle(page)
    expect(page.get_by_role("combobox", name="Data set")).to_have_value("UCI Adult (Census Income)")
    sensitive = "Sensitive features (their combinations form the groups)"
    # The page has two multiselects (sensitive features, model inputs): only the first's chips.
    chips = (
        page.locator('[data-testid="stMultiSelect"]')
        .filter(has_text=sensitive)
        .locator(".react-aria-ComboBox [data-tag]")
    )
    for feature in ("sex", "race"):
        if chips.filter(has_text=feature).count() == 0:
            select_in_multiselect(page, sensitive, feature)
    # keep exactly sex and race
    expect(chips).to_have_count(2)
    choose(page, "Estimator", "Logistic regression")

    page.get_by_role("button", name="Train model").click()
    wait_idle(page)
    expect(page.locator('[data-testid="stAlertContentError"]')).to_have_count(0)

    chart = page.locator('[data-testid="stPlotlyChart"] .js-plotly-plot .main-svg').first
    expect(chart).to_be_visible()
    bars = page.locator('[data-testid="stPlotlyChart"] .barlayer .point')
    expect(bars).to_have_count(10)  # 2 sexes x 5 races
    ticks = page.locator('[data-testid="stPlotlyChart"] .xtick text')
    labels = ticks.all_text_contents()
    assert "Female × White" in labels and "Male × Amer-Indian-Eskimo" in labels

    table = page.locator('[data-testid="stDataFrame"]').filter(has_text="Female")
    expect(table.first).to_be_visible()
    page.screenshot(path="test-artifacts/data_model.png")
