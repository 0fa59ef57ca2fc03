"""Extensions made unbound and attached in create_app (Flask's init_app pattern)."""

from flask import request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_socketio import SocketIO
from flask_wtf.csrf import CSRFProtect


def client_address() -> str:
    return request.remote_addr or "unknown"


csrf = CSRFProtect()
babel = Babel()
# Memory storage: throttling needs no persistence, and nothing about who
# tried what is written anywhere.
limiter = Limiter(key_func=client_address, storage_uri="memory://", default_limits=[],
                  headers_enabled=True)
# threading + simple-websocket: eventlet is deprecated and gunicorn dropped it.
socketio = SocketIO(async_mode="threading", cors_allowed_origins=[])
