"""Search that ignores case and accents ("donnees" finds "Données") on both databases.

PostgreSQL folds with its ``unaccent`` extension (created by a migration); SQLite gets the
same function in Python on every new connection. The searched word is folded by the same
SQL function as the column, so both sides always agree.
"""

import unicodedata

from django.db.models import Func, TextField
from django.db.models.functions import Lower


def fold(text: str | None) -> str | None:
    """Lower case without diacritics: the SQLite side of ``unaccent``."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


class Unaccent(Func):
    function = "unaccent"
    output_field = TextField()


def folded(expression) -> Func:
    """``expression`` in lower case without accents, for a ``contains`` on both sides."""
    return Lower(Unaccent(expression))


def add_sqlite_functions(sender, connection, **kwargs) -> None:
    """Connected to ``connection_created``: gives SQLite the ``unaccent`` PostgreSQL has."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("unaccent", 1, fold, deterministic=True)
