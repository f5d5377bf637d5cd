"""Small Playwright helpers for the Streamlit pages."""

from __future__ import annotations

import os
from pathlib import Path

IDLE = (
    '[data-testid="stApp"][data-test-connection-state="CONNECTED"]'
    '[data-test-script-state="notRunning"]'
)
ROOT = Path(__file__).resolve().parents[2]


def wait_idle(page, timeout: float = 120_000) -> None:
    """Wait until the app is connected and no script run is in progress."""
    page.wait_for_timeout(300)  # let a just-triggered rerun start
    page.wait_for_selector(IDLE, timeout=timeout)


def choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the selectbox labelled ``label``."""
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("listbox").get_by_role("option", name=option, exact=True).click()
    wait_idle(page)


def add_option(page, label: str, option: str) -> None:
    """Add ``option`` to the multiselect labelled ``label`` (and close its list)."""
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("listbox").get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")
    wait_idle(page)


def open_page(page, title: str) -> None:
    """Switch page through the sidebar navigation (keeps the session, unlike goto)."""
    wait_idle(page)
    page.locator('[data-testid="stSidebarNavLink"]').filter(has_text=title).first.click()
    wait_idle(page)


def main_text(page) -> str:
    """The visible text of the page's main area (word joiners of escaped markdown removed)."""
    return page.locator('[data-testid="stMain"]').inner_text().replace("\u2060", "")


def no_traceback(page, where: str) -> None:
    """No exception box and no traceback text anywhere on the page."""
    assert page.locator('[data-testid="stException"]').count() == 0, where
    text = page.locator("body").inner_text()
    assert "Traceback" not in text and "Exception:" not in text, where


def screens_dir(name: str) -> Path:
    """Where a test's screenshots go: ``$FAIRDASH_SCREENS/<name>`` when set, else
    ``test-artifacts/<name>``."""
    base = os.environ.get("FAIRDASH_SCREENS")
    folder = Path(base) / name if base else ROOT / "test-artifacts" / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def screenshot(page, path: Path) -> None:
    """The whole page (Streamlit scrolls inside its main area, so the viewport is made as
    tall as the content for the shot, then set back)."""
    wait_idle(page)  # a shot during a rerun shows the page faded
    size = page.viewport_size
    height = page.evaluate(
        "() => { const m = document.querySelector('[data-testid=\"stMain\"]');"
        " return m ? m.scrollHeight : document.body.scrollHeight; }"
    )
    page.set_viewport_size({"width": size["width"], "height": max(size["height"],
                                                                  min(height + 80, 16_000))})
    page.wait_for_timeout(500)  # charts re-layout to the new size
    page.screenshot(path=str(path))
    page.set_viewport_size(size)


def table_rows(frame) -> list[list[str]]:
    """The rows of an ``st.dataframe`` as text (header first). The grid draws on a canvas;
    its accessible table holds the rows in view, so the grid is scrolled into view first."""
    frame.scroll_into_view_if_needed()
    frame.locator("table").first.wait_for(state="attached")
    return frame.locator("table tr").evaluate_all(
        "rows => rows.map(r => [...r.children].map(c => c.textContent.replace(/\\u2060/g, '')))"
    )


def dataframe_with(page, header: str):
    """The visible ``st.dataframe`` whose header row has the column ``header``."""
    frames = page.locator('[data-testid="stDataFrame"]')
    for i in range(frames.count()):
        frame = frames.nth(i)
        if frame.is_visible() and header in table_rows(frame)[0]:
            return frame
    headers = [table_rows(frames.nth(i))[0] for i in range(frames.count())
               if frames.nth(i).is_visible()]
    raise AssertionError(f"No table with a column {header!r} on the page: {headers}")
