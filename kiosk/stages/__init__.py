"""The four competitive stages of a selection round (四差额): the timeline (start, complete,
supersede), what the stages share (``core``), the one generator of plenary and committee polls
and their runoffs (``voting``), and each stage: recommendation, inspection, deliberation, vote.

May import: ``kiosk.domain``, ``kiosk.store``, ``kiosk.errors``, ``tally``. Never documents,
web, admin, app or cli.
"""
