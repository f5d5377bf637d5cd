"""The Streamlit app's shared helpers (the pages live in ``pages/``).

- :mod:`fairdash_app.state`: every session key, cache and widget key, and the one
  function that forgets results derived from data, problem or models.
- :mod:`fairdash_app.workflows`: what the pages do with the core (train, mitigate,
  save and restore a configuration).
- :mod:`fairdash_app.navigation`: the pages, their titles and icons, and links.

The core library, :mod:`fairdash`, never imports streamlit or this package.
"""
