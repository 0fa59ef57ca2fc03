"""The command line (``ballotroom``, ``main``), finding and making instances (``instances``), the
demo of ``make run`` (``demo``) and the production server (``server``: gunicorn with gevent).

The top layer: may import anything, the application factory included.
"""
