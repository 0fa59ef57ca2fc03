"""Who may reach the server at all: the room's network ranges (SECURITY.md, "The room's network")."""

from __future__ import annotations

import ipaddress
from functools import lru_cache


class Room:
    def __init__(self, ranges: tuple[str, ...]):
        self.networks = tuple(ipaddress.ip_network(r, strict=False) for r in ranges)

    @lru_cache(maxsize=4096)  # noqa: B019 - one Room per app, addresses are few
    def admits(self, remote_addr: str | None) -> bool:
        try:
            address = ipaddress.ip_address((remote_addr or "").split("%")[0])
        except ValueError:
            return False
        return any(address in n for n in self.networks)
