"""A DAMCS agent's side of S-CS: what it has heard of its team and the messages it writes.

`Messenger` holds one agent's place in its team's router for one episode: its role, whether the
team dispatches, the team view the oracle reads, the crafter's needs it feeds; the teammates' news
it merges into its map; and what it posts: its STATUS (role, goals, needs, offers, a few
sightings), its CLAIM (the units of the crafter's bill it fetches, so co-helpers fetch the rest),
a SHARE when it handed something over and a STATION when it placed a table or furnace. It keeps,
between steps, the claim and the gathering tool it asks for.

Extensions of the paper's status template: a status carries the sender's position (whoever holds
the goal's tool hands it to a seeker nearer the goal; teammates count the ground its view covered
as searched) and the frontier it explores toward (so teammates search elsewhere), and where the
scripted team dispatches (the privileged map, or more than two agents: `Messenger.dispatch`) the
gathering tool it asks the crafter for; there the crafter's needs are its bill counting the pickaxes teammates hold and the
copies they ask for: what the scripted roles' team dispatch (`agents.teamwork`) reads and decides.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agents import (
    comms,
    llm_decision,
    memory,
    options,
    oracle,
    prerequisites,
    scripted_board,
    teamwork,
)
from agents import driver as driver_lib
from agents.comms import protocol
from agents.comms import roles as roles_lib
from agents.skills import library, mapping
from episode import team as team_lib

SIGHTINGS_PER_MATERIAL = 2  # a status carries the few tiles nearest home, not the whole map


def sighted_materials(rules: Any) -> tuple[str, ...]:
    """Materials worth telling teammates about: those that need a tool to collect (stone, coal,
    iron, diamond) and those that restore a vital (water), read from the rule data."""
    return tuple(
        material
        for material, rule in rules.collect.items()
        if rule.require or any(item in rules.vitals for item in rule.receive)
    )


class Messenger:
    """One DAMCS agent's S-CS side for one episode (built when the agent joins its team's router).
    `log` is called with each message that reached anyone (the agent logs it on its trace)."""

    def __init__(
        self,
        spec: team_lib.AgentSpec,
        rules: Any,
        skill_driver: driver_lib.SkillDriver,
        router: comms.Router,
        log: Callable[[comms.Message], None],
    ) -> None:
        self.spec = spec
        self.rules = rules
        self.driver = skill_driver
        self.router = router
        self._log = log
        self.sighted = sighted_materials(rules)
        self._merged: set[tuple[str, str, int]] = set()  # messages already in the map
        self.claim: dict[str, int] = {}  # units of the crafter's bill this agent fetches
        self._claimed = False  # whether the latest claim sent named any units
        self.wants = ""  # a gathering tool this agent asks the crafter for (dispatch)
        self.own: scripted_board.AgentStatus | None = None  # the oracle's own status (dispatch)

    # --- what the agent has heard ---------------------------------------------------------------

    @property
    def role(self) -> str:
        return self.router.role(self.spec.agent_id) if self.router.enabled else ""

    @property
    def dispatch(self) -> bool:
        """Whether the team dispatches as the scripted team would (`agents.scripted.build_team`):
        communication on, and the privileged map or more than two agents."""
        router = self.router
        return router.enabled and (self.driver.privileged_map or len(self.spec.team) > 2)

    def team_view(self) -> oracle.TeamView | None:
        """What this agent has heard of its team (None alone or with communication off): the
        oracle feeds the scripted roles with it."""
        router = self.router
        if not router.enabled or len(self.spec.team) < 2:
            return None
        inbox = router.inbox(self.spec.agent_id)
        return oracle.TeamView(
            self.spec,
            inbox.statuses,
            inbox.claims,
            dict(self.claim),
            router.policy,
            dispatch=self.dispatch,
            own=self.own,
        )

    def tool_requests(self) -> dict[str, str]:
        """The gathering tool each teammate asks for (teammate -> tool), as its latest status
        says; empty without team dispatch, where nobody asks."""
        router = self.router
        if not self.dispatch or not router.enabled:
            return {}
        inbox = router.inbox(self.spec.agent_id)
        return {m.sender: m.wants for m in inbox.statuses if m.wants}

    def crafter_needs(self) -> dict[str, int] | None:
        """The crafter's stated needs when this agent feeds it (None: not a feeder, or unheard)."""
        router = self.router
        if not router.enabled or self.role not in (*roles_lib.SUPPORT_ROLES, roles_lib.SEEKER):
            return None
        for message in router.inbox(self.spec.agent_id).statuses:
            if router.role(message.sender) == roles_lib.CRAFTER:
                return dict(message.needs)
        return None

    def merge_sightings(self, inbox: comms.Inbox) -> bool:
        """Put teammates' news into the known map, once per message: sightings only on tiles this
        agent has not seen (its own view is fresher), placed stations always (they are new), and
        where a teammate stands and explores toward (so a search here goes elsewhere). Returns
        whether the news showed this agent the goal's material for the first time."""
        known = self.driver.known
        target = library.goal_material(self.rules, self.spec.goal)
        unseen = target is not None and not known.knows(target)
        for message in (*inbox.statuses, *inbox.stations):
            key = (message.kind, message.sender, message.step)
            if key in self._merged:
                continue
            self._merged.add(key)
            if message.position is not None:
                known.hear(message.sender, message.position, message.exploring, message.step)
            if message.station is not None:
                known.merge([mapping.Sighting(message.station.name, message.station.position)])
            known.merge(s for s in message.sightings if known.material_at(s.position) is None)
        return unseen and known.knows(target)

    # --- what the agent writes ------------------------------------------------------------------

    def announce(self, outcome: driver_lib.Outcome, state: library.AgentState) -> None:
        """A finished share becomes a SHARE message, a placed table or furnace a STATION."""
        option = self.driver.option
        if option is None or option.text != outcome.option:
            return
        aid, step = self.spec.agent_id, state.step
        if option.kind == "share":
            if option.target in self.claim:  # one unit of the claim delivered
                self.claim[option.target] -= 1
            self._send(
                comms.Message(
                    comms.SHARE, aid, step, recipient=option.teammate, gave={option.target: 1}
                )
            )
        elif option.kind == "place" and option.target in state.known.stations():
            where = self._nearest(state, option.target)
            if where is not None:
                station = comms.Station(option.target, where)
                self._send(comms.Message(comms.STATION, aid, step, station=station))

    @staticmethod
    def _nearest(state: library.AgentState, material: str) -> tuple[int, int] | None:
        x, y = state.position
        spots = state.known.positions(material)
        return min(spots, key=lambda p: abs(p[0] - x) + abs(p[1] - y)) if spots else None

    def post_status(self, state: library.AgentState, long_term: str) -> None:
        """Post this agent's STATUS (in a team with communication on); `long_term` is its next
        milestone toward the goal, in words."""
        router = self.router
        if not router.enabled or len(self.spec.team) < 2:
            return
        known = tuple(sorted(state.stations_known))
        role = router.role(self.spec.agent_id)
        # The crafter's needs are the whole bill of its tool chain: what its suppliers fetch.
        tool = prerequisites.goal_tool(self.rules, self.spec.goal)
        wanted = (
            library.readable(f"make_{tool}") if role == roles_lib.CRAFTER and tool else long_term
        )
        if role == roles_lib.CRAFTER and tool and state.inventory.get(tool, 0) > 0:
            wanted = ""  # the tool is made: the bill is paid
        held = {
            item: int(n)
            for item, n in state.inventory.items()
            if n > 0 and item not in self.rules.vitals
        }
        needs = memory.missing_items(self.rules, wanted, held, known)
        dispatch = self.dispatch
        if dispatch and role == roles_lib.CRAFTER and wanted:
            # Its bill counting the pickaxes teammates hold and the copies they ask for.
            view = self.team_view()
            needs = prerequisites.bill(oracle.crafter_steps(view, state)) if view else needs
        self._send(
            comms.Message(
                comms.STATUS,
                self.spec.agent_id,
                state.step,
                role=role,
                long_term_goal=long_term,
                goal=self.driver.option.text if self.driver.busy else "",
                needs=needs,
                offers=held,
                sightings=self._sightings(),
                position=tuple(int(v) for v in state.position),
                wants=self.wants if dispatch and not state.inventory.get(self.wants, 0) else "",
                exploring=self.driver.known.fresh_claim(),
            )
        )

    def update_claim(
        self,
        decision: llm_decision.Decision,
        reference: oracle.Reference | None,
        state: library.AgentState,
    ) -> None:
        """The bill units this agent now fetches: the oracle's claim when its pick (`reference`)
        was taken; for a model's own pick, a collect of an item the crafter needs claims what is
        still unclaimed of it, going to or waiting releases the claim, anything else keeps it."""
        options_ = decision.options
        if reference is not None and decision.reference is not None:
            if decision.chosen == options_[decision.reference]:
                if reference.claim is not None:
                    self.claim = dict(reference.claim)
                if reference.status is not None and self.dispatch:
                    self.own = reference.status
                    self.wants = reference.status.wants
                return
        option = self.driver.option
        if option is not None and self.dispatch:
            self._update_wants(option, state)
        needs = self.crafter_needs()
        if option is None or needs is None:
            return
        if option.kind == "collect" and option.target in needs:
            inbox = self.router.inbox(self.spec.agent_id)
            others = sum(m.claims.get(option.target, 0) for m in inbox.claims)
            left = needs[option.target] - others
            self.claim = {option.target: left} if left > 0 else {}
        elif option.kind in ("navigate", "wait"):
            self.claim = {}

    def _update_wants(self, option: options.Option, state: library.AgentState) -> None:
        """For a model's own pick: going to a material it cannot mine asks for the pickaxe;
        collecting, or holding what it asked for, drops the request; anything else keeps it."""
        material = option.target if option.kind == "navigate" else ""
        rule = self.rules.collect.get(material)
        item = next(iter(rule.receive), "") if rule is not None else ""
        lacking = teamwork.lacking(self.rules, item, state.inventory) if item else []
        if lacking and material != library.goal_material(self.rules, self.spec.goal):
            self.wants = lacking[0]
        elif option.kind == "collect" or state.inventory.get(self.wants, 0) > 0:
            self.wants = ""
        if self.own is not None:
            self.own.wants = self.wants

    def post_claim(self, state: library.AgentState) -> None:
        """Tell the co-helpers which units of the crafter's bill this agent fetches (no more than
        the crafter still needs; an empty claim releases them)."""
        router = self.router
        if not router.enabled or len(self.spec.team) < 2:
            return
        needs = self.crafter_needs()
        if needs is not None:
            # Co-helpers earlier in the team have the prior claim (their claims of this step are
            # already posted, so both sides agree): what they claimed is not claimed again.
            team = self.spec.team
            prior = [
                m
                for m in router.inbox(self.spec.agent_id).claims
                if team.index(m.sender) < self.spec.index
            ]
            self.claim = {
                item: min(n, needs.get(item, 0) - sum(m.claims.get(item, 0) for m in prior))
                for item, n in self.claim.items()
            }
        self.claim = {item: n for item, n in self.claim.items() if n > 0}
        if not self.claim and not self._claimed:
            return  # nothing claimed yet: nothing to release
        self._claimed = bool(self.claim)
        role = router.role(self.spec.agent_id)
        self._send(
            comms.Message(comms.CLAIM, self.spec.agent_id, state.step, role=role, claims=self.claim)
        )

    def _send(self, message: comms.Message) -> None:
        """Post `message` to the team and, when it reached anyone, hand it to `log`."""
        if self.router.post(message):
            self._log(message)

    def _sightings(self) -> tuple[mapping.Sighting, ...]:
        """The known tiles of each sighted material nearest home (stable, so statuses repeat)."""
        known, home = self.driver.known, self.driver.home or (0, 0)
        found: list[mapping.Sighting] = []
        for material in self.sighted:
            spots = sorted(
                known.positions(material),
                key=lambda p: (abs(p[0] - home[0]) + abs(p[1] - home[1]), p),
            )
            found += [mapping.Sighting(material, p) for p in spots[:SIGHTINGS_PER_MATERIAL]]
        return tuple(found[: protocol.MAX_SIGHTINGS])
