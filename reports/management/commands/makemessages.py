"""Django's makemessages, with msgmerge's guessing turned off (issue 31).

The Welsh catalogue is compiled with its fuzzy entries (they are shown:
docs/decisions.md, "Cymraeg"), so an entry msgmerge marked fuzzy by guessing
from a similar English sentence would put the wrong Welsh on a page. With
--no-fuzzy-matching a new or changed English sentence arrives untranslated
(tests/test_welsh.py fails until a translator writes its Welsh). Fuzzy entries are only those a translator marked."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
