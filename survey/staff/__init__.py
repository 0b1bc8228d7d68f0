"""Staff: accounts (``accounts``), API tokens' life (``tokens``), who may see and do what
(``access``: the one role table of pages, API and CLI), signing in and ending sessions
(``sign_in``), the audit record (``audit``) and its reading for the audit page
(``audit_reading``). Imports core, models and the engine's vocabulary.
"""
