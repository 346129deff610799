"""What the services of this app announce to the apps above it, which may not be imported
here. Receivers run inside the service's transaction, holding the project's row lock, and
are handed the locked project: an event they record takes the next seq."""

from django.dispatch import Signal

# Sent by ``update_project`` when a project's repository address changed; ``project``
# (locked), ``by``.
repository_changed = Signal()

# Sent by ``add_member`` and ``remove_member`` once the team changed; ``project`` (locked),
# ``by``. What counts depends on who is on the team (a reuse declared by a member is no
# proof; a vote of a member does not count).
team_changed = Signal()
