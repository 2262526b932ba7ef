"""``python -m chalicelib.i18n [locale-dir]``: compile the catalogs (``make catalogs``)."""

import sys
from pathlib import Path

from .catalogs import LOCALE_DIR, compile_catalogs

for path in compile_catalogs(Path(sys.argv[1]) if len(sys.argv) > 1 else LOCALE_DIR):
    print(f"compiled {path}")
