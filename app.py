"""FairDash: the Streamlit entry point (navigation only; each page sets up its own state)."""

import streamlit as st

from fairdash_app.navigation import APP_ICON, PAGES

st.set_page_config(page_title="FairDash", page_icon=APP_ICON, layout="wide")

navigation = st.navigation(
    [
        st.Page(info.path, title=info.title, icon=info.icon, default=name == "home")
        for name, info in PAGES.items()
    ]
)
navigation.run()
