"""Extensions made unbound and attached in create_app (Flask's init_app pattern)."""

from flask_babel import Babel
from flask_socketio import SocketIO
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
babel = Babel()
# threading + simple-websocket: eventlet is deprecated and gunicorn dropped it.
# cors_allowed_origins is left at its default, same origin only ([] would turn the check off).
socketio = SocketIO(async_mode="threading")
