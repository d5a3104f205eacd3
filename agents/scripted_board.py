"""What the scripted team shares and decides: each agent's `AgentStatus`, posted each step on the
team's `TeamBoard` (statuses and everyone's map), and a role's `Decision`. The roles
(`agents.scripted_roles`) and their team dispatch (`agents.scripted_dispatch`) read the board; the
oracle control fills one from the messages an LLM agent heard (`agents.oracle`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agents import options
from agents.skills import mapping


@dataclass
class AgentStatus:
    """What one agent posts to its team each step."""

    inventory: dict[str, int] = field(default_factory=dict)
    position: tuple[int, int] = (0, 0)
    missing: dict[str, int] = field(default_factory=dict)
    remaining: int = 0
    fetching: str = ""
    alive: bool = True
    wants: str = ""  # a gathering tool this agent asks the crafter for (team dispatch)
    # The seeker's: it left for the goal because the walk there is as long as the crafter's work
    # alone (`scripted_dispatch.seeker_ahead`); it does not come back to fetch.
    ahead: bool = False
    # The crafter's: the step since which it has been `scripted_roles.SEEKER_GOES_AT` plan steps
    # or fewer from the tool and missing a unit of a material its map does not show (None
    # otherwise).
    unseen_since: int | None = None
    # Tools the crafter handed out, by (tool, teammate): the step it shared it.
    handed: dict[tuple[str, str], int] = field(default_factory=dict)
    # The seeker's: it makes the goal's tool itself by the goal from what the crafter hands it
    # (`agents.scripted_finish`), and the holdings its plan needs, by item.
    finishes: bool = False
    needs: dict[str, int] = field(default_factory=dict)


class TeamBoard:
    """Shared team knowledge for the scripted team: statuses and everyone's map."""

    def __init__(self) -> None:
        self.status: dict[str, AgentStatus] = {}
        self.maps: dict[str, mapping.KnownMap] = {}
        # Whether statuses carry positions and holdings, so that roles may split the bill by
        # unit and hand tools out (`agents.teamwork`); a board heard from messages does not.
        self.dispatch = False
        # Whether the board is written from messages (`oracle.heard_board`): then teammates' maps
        # are unknown and each agent splits the bill on its own map, so the splits can differ and
        # only a posted claim says who fetches a unit.
        self.heard = False

    def reset(self) -> None:
        self.status.clear()
        self.maps.clear()


@dataclass(frozen=True)
class Decision:
    """One role decision: the option to run and why; a collect's units are taken on the way
    through the materials `toward` (to a lone agent's goal; see `planner.route_on_the_way`)."""

    option: options.Option
    reason: str
    toward: tuple[str, ...] = ()
