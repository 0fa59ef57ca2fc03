"""The chair's pages (placeholder until built)."""
from flask import Blueprint

from .auth import login_required

bp = Blueprint("chair", __name__)


@bp.get("/")
@login_required("admin", "chair")
def home():
    return "chair"
