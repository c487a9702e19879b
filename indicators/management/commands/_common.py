"""Shared by the management commands: who the command acts as, and how a
list of problems is reported."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError, DjangoHelpFormatter


class EpilogHelpFormatter(DjangoHelpFormatter):
    """--help as Django prints it, but text written with line breaks (an
    epilog's table of columns, its examples) is kept as written; a one-line
    paragraph (the description) is still wrapped to the terminal."""

    def _fill_text(self, text, width, indent):
        if "\n" in text:
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)


def acting_user(name: str | None, *, perms: list[str]):
    """None (an operator with every permission) unless --user NAME is given;
    then that user, who must exist, be active and hold ``perms``."""
    if not name:
        return None
    User = get_user_model()
    try:
        user = User.objects.get(username=name)
    except User.DoesNotExist:
        raise CommandError(f"--user {name}: no such user") from None
    if not user.is_active:
        raise CommandError(f"--user {name}: the account is not active")
    missing = [p for p in perms if not user.has_perm(p)]
    if missing:
        raise CommandError(f"--user {name}: not allowed; needs the permission(s) {', '.join(missing)}")
    return user


def problems_error(problems, *, name: str = "", total: int | None = None) -> CommandError:
    """The one way a command reports that it wrote nothing: how many problems
    there were, then each on its own line (``row N, column C: message``)."""
    total = max(total or 0, len(problems))
    listed = "\n".join(f"  {problem}" for problem in problems)
    where = f"{name}: " if name else ""
    return CommandError(f"{where}{total:,} problem{'' if total == 1 else 's'}; nothing was written:\n{listed}")
