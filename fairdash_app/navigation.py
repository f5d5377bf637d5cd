"""The app's pages, their titles and icons (Streamlit's built-in Material icons, which
render without an emoji font), and links between them."""

from __future__ import annotations

from typing import NamedTuple

import streamlit as st

__all__ = ["APP_ICON", "PAGES", "link"]

APP_ICON = ":material/balance:"


class PageInfo(NamedTuple):
    path: str
    title: str
    icon: str


#: Every page, in navigation order, by short name.
PAGES: dict[str, PageInfo] = {
    "home": PageInfo("pages/home.py", "Home", ":material/home:"),
    "data": PageInfo("pages/data_model.py", "Data & model", ":material/dataset:"),
    "mitigate": PageInfo("pages/mitigate.py", "Mitigate", ":material/build:"),
    "compare": PageInfo("pages/compare.py", "Compare", ":material/scatter_plot:"),
    "explore": PageInfo("pages/explore.py", "Explore", ":material/query_stats:"),
    "discover": PageInfo("pages/discover.py", "Discover", ":material/travel_explore:"),
    "whatif": PageInfo("pages/whatif.py", "What-if", ":material/tune:"),
    "report": PageInfo("pages/report.py", "Report", ":material/description:"),
}


def link(page: str, label: str) -> None:
    """A link to another page (by short name); plain text when the page runs outside the
    app's navigation (AppTest runs a page file on its own, without ``app.py``)."""
    info = PAGES[page]
    try:
        st.page_link(info.path, label=label, icon=info.icon)
    except st.errors.StreamlitPageNotFoundError:
        st.markdown(f"→ {label}")
