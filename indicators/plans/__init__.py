"""Plan files: reading and checking the YAML (file.py) and writing it to the database (load.py)."""
