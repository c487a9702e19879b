"""What the selectors need of the database beyond the ORM's everyday use:
the ``__any_of`` lookup (one array parameter for a long id list) and
querysets compiled once per process (`Compiled`). Read only; nothing here
writes."""
