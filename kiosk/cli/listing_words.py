"""What the command line says of a poll as the pages do: the counts that reconcile in the
glossary's words (发出 / 收回 / 未投 / 作废, tally.counts) and times on the room's clock."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from kiosk.cli.language import say as _
from kiosk.store import localtime
from kiosk.store.instance import Instance
from tally import counts as tc


def rules_text(instance: Instance) -> str:
    """The rules file in force for the instance (its setting, else the one shipped)."""
    path = instance.settings().rules_path
    return (Path(path).read_text(encoding="utf-8") if path
            else resources.files("tally").joinpath("rules.toml").read_text(encoding="utf-8"))


def counts_text(counts: dict, closed: bool) -> str:
    """发出 / 收回 (tablet and paper) / 未投 while open / 作废, the figures of every page; after
    the close 未投 is said inside 作废 (tally.counts.shown_fields)."""
    words = [_("issued %(n)s", n=counts["issued"]), _("returned %(n)s", n=counts["returned"])]
    if not closed:
        words.append(_("not voted %(n)s", n=counts["not_voted"]))
    unused = tc.unused_at_close(counts, closed=closed)
    words.append(_("void %(n)s (of which %(unused)s unused at the close)", n=counts["voided"], unused=unused)
                 if unused else _("void %(n)s", n=counts["voided"]))
    return "  ".join(words)


def closed_text(at: object) -> str:
    """A bundle's close time (UTC ISO) on the room's clock, saying which: a bundle is checked on
    any machine, so the zone is the product's default (Asia/Shanghai), named."""
    try:
        shown = localtime.local_text(at if isinstance(at, str) else None)
    except ValueError:
        return str(at)
    return _("%(time)s (%(zone)s)", time=shown, zone=localtime.DEFAULT_ZONE) if shown else str(at)
