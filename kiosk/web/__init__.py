"""What faces the room's network: the request context (``context``), the ballot's door in front
of Flask (``ballot_lane``, ``admission``), live updates over Socket.IO and their limits (``live``,
``connections``), the public board, the room's address guard and the failure throttle, the
tablet's pages (``tablet/``) and the HTTP API with its OpenAPI document (``api/``).

May import everything below it: ``kiosk.documents``, ``kiosk.stages``, ``kiosk.domain``,
``kiosk.store``, ``kiosk.errors``, ``tally``. Never ``admin``, ``kiosk.app`` or ``kiosk.cli``:
pages take the database, rules and keys from ``kiosk.web.context``, not from the factory.
"""
