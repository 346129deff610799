"""Reaching addresses that people gave us (a repository, a webhook endpoint) without being
turned against the machine's own network.

The lowest layer, beside ``accounts``, ``outbox`` and ``clock``: it imports no app of the
incubator, so the repository scanner (``evidence``) and the webhooks (``webhooks``), which sit
at different heights, share one set of rules instead of one importing the other upward.
"""
