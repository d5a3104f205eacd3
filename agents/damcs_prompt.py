"""What a DAMCS agent's prompt adds to the plain agent's sections (`agents.prompting`): the A-KGMS
working memory, its S-CS role and duty, the team messages it received; and the text of its local
view that the memory's sensory record keeps.
"""

from __future__ import annotations

from agents import comms, prompting
from agents.comms import roles as roles_lib
from agents.skills import library

VIEW_RADIUS = (4, 3)  # half the 9x7 local view, in tiles (x, y)
GROUND = frozenset({"grass", "sand", "path"})  # what is everywhere and worth no mention


def view_text(state: library.AgentState) -> str:
    """What the agent sees in its local view, by material: the sensory memory's "view"."""
    x, y = state.position
    seen: dict[str, int] = {}
    for dx in range(-VIEW_RADIUS[0], VIEW_RADIUS[0] + 1):
        for dy in range(-VIEW_RADIUS[1], VIEW_RADIUS[1] + 1):
            material = state.known.material_at((x + dx, y + dy))
            if material and material not in GROUND:
                seen[material] = seen.get(material, 0) + 1
    return ", ".join(f"{n} {library.readable(m)}" for m, n in sorted(seen.items())) or "open ground"


def memory_section(context: prompting.DecisionContext) -> prompting.Section | None:
    """The A-KGMS working memory; absent when memory is off."""
    working = context.extra.get("memory")
    if working is None:
        return None
    return prompting.Section("Memory", working.text)


def role_section(context: prompting.DecisionContext) -> prompting.Section | None:
    """The S-CS role and its duty; absent for a lone agent or with communication off."""
    role, duty = context.extra.get("role", ""), context.extra.get("duty", "")
    if not role or role == roles_lib.SOLO:
        return None
    return prompting.Section("Your role", f"{role}: {duty}")


def messages_section(context: prompting.DecisionContext) -> prompting.Section | None:
    """The received statuses, stations and shares (the router's compact templates)."""
    inbox: comms.Inbox | None = context.extra.get("inbox")
    if inbox is None or not inbox.messages:
        return None
    return prompting.Section("Team messages", "\n".join(f"- {m.text()}" for m in inbox.messages))


SECTIONS: tuple[prompting.SectionFn, ...] = prompting.with_sections(
    [memory_section, role_section, messages_section]
)
