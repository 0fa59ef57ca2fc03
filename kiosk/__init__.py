"""Ballotroom's server, in layers; each package may import only the ones listed before it.

- ``kiosk.errors``: refusals (status, code, a sentence in the user's language), used by all.
- ``kiosk.blocking``: where blocking work runs (here, or native threads under the gevent server).
- ``kiosk.store``: the database, its one write path, the schema's migrations, the event log, the
  instance folder and its settings.
- ``kiosk.domain``: meetings, polls and their results, tokens, ballot intake, accounts, devices,
  evidence (certificates, bundles), selection rounds.
- ``kiosk.stages``: the four competitive stages of a round.
- ``kiosk.documents``: the printed papers (slips, result sheet, round sheet, round report).
- ``kiosk.web``: what faces the network (request context, the ballot's door, live updates, the
  room's guard, the tablet's pages, the HTTP API).
- ``admin`` (beside kiosk): the staff's pages.
- ``kiosk.app``: the application factory, which puts the above together.
- ``kiosk.cli``: the command line and the production server.

The rules themselves are in ``tally`` (pure: no Flask, SQL, clock or randomness), which imports
nothing of the server. tests/test_layers.py checks these directions and that no import circle
exists.
"""
