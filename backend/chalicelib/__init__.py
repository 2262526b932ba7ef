"""The STIS portal's back end: the Chalice app (backend/app.py) and its parts."""

import os

# pydantic looks through every installed package's metadata for plugins when it
# builds its first model; the portal uses none, so its cold start skips the scan.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
