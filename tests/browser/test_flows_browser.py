"""Demo, Compare, What-if and Report in the real browser."""

import re
import time

import pytest

from tests.browser.helpers import open_page, wait_idle

pytestmark = pytest.mark.browser


def bar_paths(page, chart_key: str) -> list[str]:
    return page.locator(f".st-key-{chart_key} .barlayer .point path").evaluate_all(
        "els => els.map(e => e.getAttribute('d'))"
    )


def eventually(page, check, *, timeout: float = 60.0) -> bool:
    """Poll ``check`` until it holds: a rerun may start a moment after an input event."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        page.wait_for_timeout(250)
    return check()


def test_demo_compare_select_whatif_report(page, tmp_path):
    from playwright.sync_api import expect

    wait_idle(page)
    page.get_by_role("button", name="Run the demo").click()
    # lands on Compare with every model on the scatter and the front drawn
    expect(page.get_by_role("heading", name="Compare models")).to_be_visible(timeout=180_000)
    wait_idle(page, timeout=180_000)
    chart = page.locator(".st-key-a-compare-tradeoff .js-plotly-plot")
    expect(chart.locator(".legendtext").filter(has_text="Pareto front")).to_have_count(1)
    points = chart.locator(".scatterlayer .trace .points path")
    assert points.count() >= 29  # 1 + 1 + 6 threshold optimizer + 21 barycenter models
    expect(page.get_by_text(re.compile(r"on the Pareto front"))).to_be_visible()

    # select a model by clicking its point: it becomes the current model
    before = page.locator('[data-testid="stAlertContentSuccess"]').inner_text()
    # (traces follow the demo's methods: 1 unmitigated, 1 reweighing, 6 threshold optimizer,
    # then the barycenter's 21, whose scores suit the What-if sliders below)
    points.nth(15).click(force=True)
    current = page.locator('[data-testid="stAlertContentSuccess"]')
    assert eventually(page, lambda: current.inner_text() != before)
    wait_idle(page)

    # What-if: per-group slider moves the chart and the table
    open_page(page, "What-if")
    page.get_by_text("One threshold per group").click()
    wait_idle(page)
    expect(page.locator(".st-key-a-whatif-chart .barlayer .point").first).to_be_visible()
    bars_before = bar_paths(page, "a-whatif-chart")
    table = page.locator('[data-testid="stDataFrame"]').first
    table_before = table.text_content()
    slider = page.get_by_role("slider", name=re.compile(r"^Female × White"))
    slider.focus()
    for _ in range(40):
        slider.press("ArrowLeft")
    assert eventually(page, lambda: bar_paths(page, "a-whatif-chart") != bars_before)
    assert eventually(page, lambda: table.text_content() != table_before)

    # a one-click strategy sets the sliders
    def slider_value():
        return slider.evaluate("e => e.getAttribute('aria-valuetext') || e.value || e.textContent")

    value_before = slider_value()
    page.get_by_role("button", name="Demographic parity").click()
    assert eventually(page, lambda: slider_value() != value_before)
    wait_idle(page)

    # Report: the downloaded HTML holds the charts and the groups
    open_page(page, "Report")
    with page.expect_download(timeout=120_000) as info:
        page.get_by_role("button", name="HTML report").click()
    path = tmp_path / "report.html"
    info.value.save_as(path)
    html = path.read_text(encoding="utf-8")
    assert html.count("js-plotly-plot") + html.count("Plotly.newPlot") >= 2
    for group in ("Female", "Male", "Amer-Indian-Eskimo", "Asian-Pac-Islander"):
        assert group in html
    # The summary comes first and says whose numbers these are; the report prints to A4.
    assert html.index("<h2>Executive summary</h2>") < html.index("<h2>Contents</h2>")
    assert "Numbers in this section: the model" in html and "@page { size: A4" in html
    page.screenshot(path="test-artifacts/report.png")
