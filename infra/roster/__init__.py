"""The optional roster: ``python -m infra.roster import DIR --stage STAGE`` loads a
OneRoster 1.1 CSV export (``oneroster.py``) into a stage's table
(``chalicelib.adapters.roster``). ``demo/`` is a small fictional export."""
