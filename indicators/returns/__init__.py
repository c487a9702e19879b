"""Quarterly returns: the return file's reader and checker (file.py) and the draft -> submitted -> published workflow (workflow.py)."""
