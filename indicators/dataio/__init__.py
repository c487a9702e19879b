"""Data in and out as a whole: the demo data (demo.py), the plain-file export (export.py) and full backups (backup.py)."""
