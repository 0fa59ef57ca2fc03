"""The tablet's own pages: scanning or typing a slip's code, the ballot form of each kind, the
review, the receipt. Ballots go through the one door (``kiosk.web.admission``)."""
