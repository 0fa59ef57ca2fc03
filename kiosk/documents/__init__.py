"""The papers the room prints and files: token slips, the signed result sheet, the round's score
sheet and its report (PDF with reportlab; the report also as data for pages and the API).

A document draws what the domain and the stages decided; it decides nothing. May import:
``kiosk.stages``, ``kiosk.domain``, ``kiosk.store``, ``kiosk.errors``, ``tally``. Never web,
admin, app or cli.
"""
