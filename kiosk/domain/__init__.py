"""The domain: meetings, polls and their results, tokens and slips issued, ballot intake,
accounts and API keys, enrolled devices, evidence (certificates, bundles), selection rounds and
the round file.

Functions take what they need (the database, the rules, keys, the signer) as arguments; none
reaches for a request or an application. May import: ``kiosk.store``, ``kiosk.errors``,
``tally``. Never the stages, documents, web, admin, app or cli.
"""
