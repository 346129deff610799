"""What the services of this app announce to the apps above it, which may not be imported
here. Receivers run inside the service's transaction, holding the project's row lock, and
are handed the locked project: an event they record takes the next seq."""

from django.dispatch import Signal

# Sent by ``update_project`` when a project's repository address changed; ``project``
# (locked), ``by``.
repository_changed = Signal()
