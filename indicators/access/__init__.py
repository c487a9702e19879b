"""Who may see and change what: roles (groups) and the per-force rules every write and draft read goes through."""
