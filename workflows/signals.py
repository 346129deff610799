"""What the workflow services announce to the apps above them, which may not be imported
here. Receivers run inside the service's transaction, holding the project's row lock."""

from django.dispatch import Signal

# Sent by ``open_review`` once the review and its event are written; ``project`` (locked),
# ``review``, ``by``.
review_opened = Signal()

# Sent by ``verify_item`` before the item is verified; ``project`` (locked), ``item``,
# ``by``, ``note``. A receiver may refuse by raising a ServiceError (nothing is written),
# or record why the verification stands.
verifying = Signal()
