"""The administrator's pages (placeholder until built)."""
from flask import Blueprint

from .auth import login_required

bp = Blueprint("clerk", __name__)


@bp.get("/")
@login_required("admin")
def home():
    return "admin"
