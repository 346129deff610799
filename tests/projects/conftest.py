"""The permission-table people and projects live in ``tests/conftest.py``; the table's
helper in ``tests/permission_table.py``."""

from tests.permission_table import ROLES

__all__ = ["ROLES"]
