"""S-CS: the DAMCS agent's typed messages, role policies and router (and the comm-off null router)."""

from agents.comms.protocol import (
    CLAIM,
    KINDS,
    SHARE,
    STATION,
    STATUS,
    Message,
    MessageError,
    Station,
    parse,
    render_for_prompt,
)
from agents.comms.roles import ROLES, NoRoles, PaperRoles, RolePolicy, policy
from agents.comms.router import Inbox, NullRouter, Router, Traffic, build

__all__ = [
    "CLAIM",
    "KINDS",
    "ROLES",
    "SHARE",
    "STATION",
    "STATUS",
    "Inbox",
    "Message",
    "MessageError",
    "NoRoles",
    "NullRouter",
    "PaperRoles",
    "RolePolicy",
    "Router",
    "Station",
    "Traffic",
    "build",
    "parse",
    "policy",
    "render_for_prompt",
]
