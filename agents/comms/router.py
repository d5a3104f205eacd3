"""The router: delivers each message only where the topology says, and counts the traffic.

Topology (from the role policy): a status reaches the teammates that help its sender, its
co-helpers (the teammates that help someone the sender helps: they split the same bill and pass on
what they saw, such as the goal's material to the seeker) and those it helps (the crafter hears
where its feeders stand and which tool each asks for: team dispatch); a claim reaches the
co-helpers and those the sender helps; a station placement reaches everyone; a share reaches its
recipient and flags it to re-plan. Inboxes
keep the latest status and claim per sender (templates, not a history), every distinct station, and
the shares not yet collected, so what an agent reads stays small however long the episode runs. A
status or claim identical to the sender's previous one (apart from the step) is not sent again, and
is counted as suppressed.

`NullRouter` is the communication-off ablation: same interface, delivers nothing, counts nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from agents.comms import protocol
from agents.comms import roles as roles_lib
from episode import team as team_lib


@dataclass(frozen=True)
class Traffic:
    """Message counts of one episode (of one sender, or of the whole team)."""

    messages_sent: int = 0
    message_bytes: int = 0
    delivered: int = 0
    rejected: int = 0
    suppressed: int = 0

    def plus(self, **counts: int) -> Traffic:
        names = (f.name for f in dataclasses.fields(self))
        return Traffic(**{k: getattr(self, k) + counts.get(k, 0) for k in names})


@dataclass(frozen=True)
class Inbox:
    """What one agent has received: latest statuses, stations, new shares, and the re-plan flag."""

    statuses: tuple[protocol.Message, ...] = ()
    stations: tuple[protocol.Message, ...] = ()
    shares: tuple[protocol.Message, ...] = ()
    replan: bool = False
    claims: tuple[protocol.Message, ...] = ()  # co-helpers' latest non-empty claims

    @property
    def messages(self) -> tuple[protocol.Message, ...]:
        return (*self.statuses, *self.claims, *self.stations, *self.shares)

    @property
    def text(self) -> str:
        """The prompt section for these messages."""
        return protocol.render_for_prompt(self.messages)


class Router:
    """Message delivery and counting for one team, one episode at a time."""

    enabled = True

    def __init__(
        self, team: Sequence[str], policy: roles_lib.RolePolicy | None = None, dedupe: bool = True
    ) -> None:
        self.policy = policy or roles_lib.PaperRoles()
        self.dedupe = dedupe
        self.reset(team)

    def reset(self, team: Sequence[str] | None = None) -> None:
        """Start an episode (optionally with a new team): empty inboxes, zero counters."""
        if team is not None:
            if not team or len(set(team)) != len(team):
                raise ValueError(f"invalid team {team!r}; allowed: distinct agent ids")
            self.team = tuple(team)
        self.alive = set(self.team)
        self._index = {aid: i for i, aid in enumerate(self.team)}
        self._statuses: dict[str, dict[str, protocol.Message]] = {a: {} for a in self.team}
        self._claims: dict[str, dict[str, protocol.Message]] = {a: {} for a in self.team}
        self._stations: dict[str, dict[tuple, protocol.Message]] = {a: {} for a in self.team}
        self._shares: dict[str, list[protocol.Message]] = {a: [] for a in self.team}
        self._replan: set[str] = set()
        self._last: dict[tuple[str, str], protocol.Message] = {}  # (sender, kind) -> latest
        self._traffic: dict[str, Traffic] = {a: Traffic() for a in self.team}
        self._rejected = 0

    # --- topology ---------------------------------------------------------------------------

    def role(self, agent_id: str) -> str:
        return self.policy.role(self._index[agent_id], len(self.team))

    def helps(self, agent_id: str) -> tuple[str, ...]:
        """The teammates `agent_id` helps, whose statuses it receives."""
        return tuple(self.team[i] for i in self.policy.helps(self._index[agent_id], len(self.team)))

    def recipients(self, message: protocol.Message) -> tuple[str, ...]:
        """Who a message reaches: helpers of the sender, everyone, or the share's recipient."""
        others = [a for a in self.team if a != message.sender and a in self.alive]
        if message.kind == protocol.STATION:
            return tuple(others)
        if message.kind == protocol.SHARE:
            return (message.recipient,) if message.recipient in others else ()
        helped = set(self.helps(message.sender))
        co_helpers = {a for a in others if helped & set(self.helps(a))}
        if message.kind == protocol.CLAIM:
            return tuple(a for a in others if a in co_helpers or a in helped)
        helpers = self.policy.helpers_of(self._index[message.sender], len(self.team))
        return tuple(
            a for a in others if self._index[a] in helpers or a in co_helpers or a in helped
        )

    def remove(self, agent_id: str) -> None:
        """A dead agent: it receives nothing more and its status leaves the others' inboxes."""
        self.alive.discard(agent_id)
        for latest in (*self._statuses.values(), *self._claims.values()):
            latest.pop(agent_id, None)

    # --- sending ----------------------------------------------------------------------------

    def post(self, data: protocol.Message | Mapping[str, Any] | str | bytes) -> int:
        """Send one message; returns how many teammates received it (0 if rejected or repeated)."""
        try:
            message = protocol.parse(data)
            if message.sender not in self._index:
                raise protocol.MessageError(f"sender {message.sender!r} is not in the team")
            if message.recipient and message.recipient not in self._index:
                raise protocol.MessageError(f"recipient {message.recipient!r} is not in the team")
        except protocol.MessageError:
            self._rejected += 1
            return 0
        sender = message.sender
        if message.kind in protocol.LATEST:
            if self.dedupe and message.same_content(self._last.get((sender, message.kind))):
                self._traffic[sender] = self._traffic[sender].plus(suppressed=1)
                return 0
            self._last[(sender, message.kind)] = message
        targets = self.recipients(message)
        if not targets:  # nobody to tell (a lone agent, or every teammate dead): nothing is sent
            return 0
        for target in targets:
            self._deliver(target, message)
        self._traffic[sender] = self._traffic[sender].plus(
            messages_sent=1, message_bytes=message.size, delivered=len(targets)
        )
        return len(targets)

    def _deliver(self, target: str, message: protocol.Message) -> None:
        if message.kind == protocol.STATUS:
            self._statuses[target][message.sender] = message
        elif message.kind == protocol.CLAIM:
            self._claims[target][message.sender] = message
        elif message.kind == protocol.STATION:
            key = (message.station.name, message.station.position)
            self._stations[target].setdefault(key, message)
        else:
            self._shares[target].append(message)
            self._replan.add(target)

    # --- receiving --------------------------------------------------------------------------

    def inbox(self, agent_id: str) -> Inbox:
        """What `agent_id` has received (statuses of the agents it helps first), unchanged."""
        statuses = self._statuses[agent_id]
        order = [a for a in self.helps(agent_id) if a in statuses]
        order += [a for a in statuses if a not in order]
        return Inbox(
            statuses=tuple(statuses[a] for a in order),
            stations=tuple(self._stations[agent_id].values()),
            shares=tuple(self._shares[agent_id]),
            replan=agent_id in self._replan,
            claims=tuple(m for m in self._claims[agent_id].values() if m.claims),
        )

    def collect(self, agent_id: str) -> Inbox:
        """The inbox, after which its shares and re-plan flag are cleared (they are events)."""
        inbox = self.inbox(agent_id)
        self._shares[agent_id] = []
        self._replan.discard(agent_id)
        return inbox

    def should_replan(self, agent_id: str) -> bool:
        """Whether a share reached `agent_id` since it last collected its inbox."""
        return agent_id in self._replan

    def prompt_text(self, agent_id: str) -> str:
        return self.inbox(agent_id).text

    # --- counting ---------------------------------------------------------------------------

    @property
    def rejected(self) -> int:
        return self._rejected

    def traffic(self, agent_id: str | None = None) -> Traffic:
        """Counts of one sender, or of the team (with the rejected messages) when None."""
        if agent_id is not None:
            return self._traffic[agent_id]
        total = Traffic(rejected=self._rejected)
        for traffic in self._traffic.values():
            total = total.plus(**dataclasses.asdict(traffic))
        return total

    def charge(self, agent_id: str, counters: team_lib.Counters) -> team_lib.Counters:
        """`counters` with `agent_id`'s traffic written in (for the episode record)."""
        traffic = self.traffic(agent_id)
        return dataclasses.replace(
            counters, messages_sent=traffic.messages_sent, message_bytes=traffic.message_bytes
        )


class NullRouter(Router):
    """Communication off: every post is dropped uncounted and every inbox is empty."""

    enabled = False

    def post(self, data: protocol.Message | Mapping[str, Any] | str | bytes) -> int:
        return 0

    def recipients(self, message: protocol.Message) -> tuple[str, ...]:
        return ()


def build(
    team: Sequence[str], policy: roles_lib.RolePolicy | None = None, enabled: bool = True
) -> Router:
    """The router of one team: S-CS delivery, or the null router when communication is off."""
    return Router(team, policy) if enabled else NullRouter(team, policy)
