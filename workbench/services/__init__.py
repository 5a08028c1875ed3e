"""The desktop's use cases: every write the command line and the window make, and nothing else.

Each function is one unit of work on the store it is given (its own transaction, in the calling
thread), free of Qt and of argument parsing, and returns `Done(result, changes)`: what it made
and which records it touched, so the window redraws only what changed and keeps its duplicate
index current (Anki's pylib operations and their OpChanges; "Architecture Patterns with
Python"'s service layer). The rules themselves live in `workbench.domain`; the store enforces
them on every edit and queues the outbox operation in the same transaction.

    accounts       add_account, edit_account, import_accounts, add_contact
    registrations  register_deal, registration_action, duplicate_check, linked_account
    leads          accept_lead, reject_lead, log_first_contact
    cases          open_case, comment_case, request_escalation
    deals          record_progress, request_amendment, amendments_of
    commissions    list_commissions, get_commission, dispute_commission
    conflicts      resolve_conflict, resolve_conflicts
    syncing        sign_in, sign_out, sync
"""

from workbench.services.changes import Changes, Done

__all__ = ["Changes", "Done"]
