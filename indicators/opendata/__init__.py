"""Open data: data.police.uk street files (policeuk.py) and populations by force area (populations.py)."""
