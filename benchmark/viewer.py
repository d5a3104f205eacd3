"""A self-contained HTML report of one episode: look at what the agents did instead of reading logs.

One file, no external assets: the GIF is embedded as base64 and the styling is inline, so a report
can be mailed, attached to an issue or opened from a results directory offline.

The trace format is deliberately loose, since agents are written independently. A trace is a list of
dicts, one per decision (or per step), or a team's ``{agent: [entries]}`` as `Team.trace` returns, read with these keys when present:

    agent      str   who decided, e.g. "player_0" (entries without it go under "team")
    step       int   joint environment step of the decision
    decision   str   what was chosen: an option/subgoal or primitive action; "option" and
                     "action" are accepted as synonyms
    reason     str   the agent's stated reason or reflection
    llm_tokens int   tokens spent on this decision (or llm_prompt_tokens + llm_completion_tokens)
    llm_calls  int   model calls made for it
    fallback   bool  the reply did not parse and a fallback was used
    messages   list  messages sent at this decision (strings or dicts, shown as JSON)

Any other keys are shown as JSON in a "details" column, so nothing an agent logs is lost. Knowledge
graphs are passed separately as ``{agent: json-able graph}`` (e.g. networkx node-link data), and the
episode GIF as a file path.
"""

from __future__ import annotations

import base64
import html
import io
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import networkx as nx

from benchmark import export
from episode import record as records_lib

_KNOWN = {
    "agent",
    "step",
    "decision",
    "option",
    "action",
    "reason",
    "llm_tokens",
    "llm_prompt_tokens",
    "llm_completion_tokens",
    "llm_calls",
    "fallback",
    "messages",
}

_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 3px 8px; vertical-align: top; text-align: left; }
th { background: #f0f0f0; }
tr.fallback { background: #fff3e0; }
td.num { text-align: right; }
pre { background: #f7f7f7; padding: 0.5em; max-height: 30em; overflow: auto; margin: 0; }
.bar { background: #4a90d9; height: 0.8em; display: inline-block; }
.missing { color: #b00; }
.stage { position: relative; display: inline-block; }
.stage img { image-rendering: pixelated; width: 600px; display: block; }
.label { position: absolute; background: rgba(0,0,0,.6); color: #fff; font-size: 12px;
         padding: 1px 4px; margin: 2px; }
.counter { font-family: monospace; }
"""


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _json(value: Any) -> str:
    return json.dumps(value, indent=1, sort_keys=True, default=str)


def _decision(entry: Mapping[str, Any]) -> str:
    for name in ("decision", "option", "action"):
        if entry.get(name) is not None:
            return str(entry[name])
    return ""


def _tokens(entry: Mapping[str, Any]) -> int | None:
    if entry.get("llm_tokens") is not None:
        return int(entry["llm_tokens"])
    parts = [entry.get("llm_prompt_tokens"), entry.get("llm_completion_tokens")]
    if any(p is not None for p in parts):
        return sum(int(p or 0) for p in parts)
    return None


def _messages(entry: Mapping[str, Any]) -> str:
    messages = entry.get("messages") or []
    if isinstance(messages, str | Mapping):
        messages = [messages]
    return "<br>".join(_esc(m if isinstance(m, str) else _json(m)) for m in messages)


def _flat_trace(
    trace: Sequence[Mapping[str, Any]] | Mapping[str, Sequence[Mapping[str, Any]]] | None,
) -> list[Mapping[str, Any]]:
    """Entries of a flat trace, or of a team's ``{agent: [entries]}`` (each tagged by its agent)."""
    if not trace:
        return []
    if isinstance(trace, Mapping):
        return [{"agent": agent, **entry} for agent, entries in trace.items() for entry in entries]
    return list(trace)


def _graph_svg(data: Any, size: int = 420) -> str:
    """A knowledge graph (networkx node-link data) drawn as inline SVG; other data as JSON."""
    try:
        graph = nx.node_link_graph(dict(data), directed=True, edges="edges")
    except Exception:  # not node-link data: show it as it is rather than lose it
        return f"<pre>{_esc(_json(data))}</pre>"
    if graph.number_of_nodes() == 0:
        return "<p>empty graph</p>"
    layout = nx.spring_layout(graph, seed=0)
    pad = 40

    def xy(node: Any) -> tuple[float, float]:
        x, y = layout[node]
        return pad + (x + 1) / 2 * (size - 2 * pad), pad + (y + 1) / 2 * (size - 2 * pad)

    parts = [
        f"<svg class='kg' xmlns='http://www.w3.org/2000/svg' width='{size}' height='{size}'>",
        "<defs><marker id='arrow' viewBox='0 0 10 10' refX='10' refY='5' markerWidth='6' "
        "markerHeight='6' orient='auto'><path d='M0,0L10,5L0,10z' fill='#888'/></marker></defs>",
    ]
    for u, v, attrs in graph.edges(data=True):
        (x1, y1), (x2, y2) = xy(u), xy(v)
        label = attrs.get("relation") or attrs.get("label") or ""
        parts.append(
            f"<line x1='{x1:.0f}' y1='{y1:.0f}' x2='{x2:.0f}' y2='{y2:.0f}' stroke='#888' "
            f"marker-end='url(#arrow)'><title>{_esc(u)} {_esc(label)} {_esc(v)}</title></line>"
        )
    for node in graph.nodes:
        x, y = xy(node)
        parts.append(
            f"<circle cx='{x:.0f}' cy='{y:.0f}' r='5' fill='#4a90d9'/>"
            f"<text x='{x + 7:.0f}' y='{y + 4:.0f}' font-size='11'>{_esc(node)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _summary_table(record: records_lib.EpisodeRecord) -> str:
    rows = [
        ("method", record.method),
        ("agents", record.n_agents),
        ("rules / goal", f"{record.rules} / {record.goal}"),
        ("map seed / episode seed", f"{record.map_seed} / {record.episode_seed}"),
        ("success", record.success),
        ("steps to goal", record.goal_step if record.success else "not reached"),
        ("episode length / cap", f"{record.length} / {record.max_steps}"),
        (
            "LLM calls / tokens / fallbacks",
            f"{record.llm_calls} / {record.llm_prompt_tokens + record.llm_completion_tokens}"
            f" / {record.llm_fallbacks}",
        ),  # fmt: skip
        ("messages sent", record.messages_sent),
        ("wall time", f"{record.wall_time_s:.1f} s"),
        ("code version", record.code_version),
    ]
    body = "".join(f"<tr><th>{_esc(k)}</th><td>{_esc(v)}</td></tr>" for k, v in rows)
    return f"<table>{body}</table>"


def _milestone_table(record: records_lib.EpisodeRecord) -> str:
    rows = []
    for name, step in record.milestones.items():
        if step is None:
            cell = '<span class="missing">never reached</span>'
            bar = ""
        else:
            cell = str(step)
            width = 300 * step / max(record.max_steps, 1)
            bar = f'<span class="bar" style="width:{width:.0f}px"></span>'
        rows.append(f"<tr><td>{_esc(export.short_name(name))}</td><td class='num'>{cell}</td>"
                    f"<td>{bar}</td></tr>")  # fmt: skip
    return "<table><tr><th>milestone</th><th>step</th><th></th></tr>" + "".join(rows) + "</table>"


def _received(
    by_agent: Mapping[str, Sequence[Mapping[str, Any]]],
) -> dict[str, list[tuple[int, str, Any]]]:
    """Messages each agent received: (step, sender, message), from the senders' entries; a message
    with a "to" names its receiver, one without goes to every other agent."""
    inbox: dict[str, list[tuple[int, str, Any]]] = {agent: [] for agent in by_agent}
    for sender, entries in by_agent.items():
        for entry in entries:
            messages = entry.get("messages") or []
            if isinstance(messages, str | Mapping):
                messages = [messages]
            for message in messages:
                to = message.get("to") if isinstance(message, Mapping) else None
                for agent in inbox:
                    if agent != sender and (to is None or to == agent or to == "all"):
                        inbox[agent].append((int(entry.get("step") or 0), sender, message))
    return inbox


def _received_cell(inbox: Sequence[tuple[int, str, Any]], after: int, upto: int) -> str:
    return "<br>".join(
        f"{_esc(sender)}: {_esc(m if isinstance(m, str) else _json(m))}"
        for step, sender, m in inbox
        if after < step <= upto
    )


_PLAYER_JS = """
(function () {
  var root = document.currentScript.parentNode;
  var frames = JSON.parse(root.querySelector('script[type="application/json"]').textContent);
  var img = root.querySelector('img'), slider = root.querySelector('input');
  var counter = root.querySelector('.counter'), button = root.querySelector('button');
  var timer = null;
  function show(i) {
    img.src = 'data:image/png;base64,' + frames[i];
    slider.value = i;
    counter.textContent = 'step ' + i + ' / ' + (frames.length - 1);
  }
  slider.max = frames.length - 1;
  slider.oninput = function () { show(+slider.value); };
  button.onclick = function () {
    if (timer) { clearInterval(timer); timer = null; button.textContent = 'play'; return; }
    button.textContent = 'pause';
    timer = setInterval(function () {
      var next = (+slider.value + 1) % frames.length; show(next);
    }, 100);
  };
  show(0);
})();
"""


def _image(pixels: Any, alt: str) -> str:
    """An RGB array as an inline PNG."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f"<img class='map' alt='{_esc(alt)}' src='data:image/png;base64,{data}'>"


def _player(gif: Path, n_agents: int) -> str:
    """The episode frame by frame with a step counter, each player's view labelled (the frame
    lays views out as the env's FrameRenderer does: up to 3 columns)."""
    from PIL import Image, ImageSequence

    frames = []
    try:
        with Image.open(gif) as image:
            for frame in ImageSequence.Iterator(image):
                buffer = io.BytesIO()
                frame.convert("RGB").save(buffer, format="PNG")
                frames.append(base64.b64encode(buffer.getvalue()).decode("ascii"))
    except (OSError, ValueError):  # not a readable GIF (an MP4, say): embed the file as it is
        data = base64.b64encode(gif.read_bytes()).decode("ascii")
        return f"<img alt='episode' src='data:image/gif;base64,{data}'>"
    columns = max(1, min(n_agents, 3))
    rows = -(-n_agents // columns)
    labels = "".join(
        f"<span class='label' style='left:{100 * (i % columns) / columns:.2f}%;"
        f"top:{100 * (i // columns) / rows:.2f}%'>player_{i}</span>"
        for i in range(n_agents)
    )
    return (
        "<div class='player'><div class='stage'><img alt='episode frame'>"
        f"{labels}</div><div><button>play</button> <input type='range' min='0' value='0'> "
        "<span class='counter'></span></div>"
        f"<script type='application/json'>{json.dumps(frames)}</script>"
        f"<script>{_PLAYER_JS}</script></div>"
    )


def _agent_table(
    entries: Sequence[Mapping[str, Any]], inbox: Sequence[tuple[int, str, Any]] = ()
) -> str:
    head = (
        "<tr><th>step</th><th>decision</th><th>reason</th><th>LLM calls</th><th>tokens</th>"
        "<th>messages sent</th><th>messages received</th><th>details</th></tr>"
    )
    rows = []
    previous = -1
    for e in sorted(entries, key=lambda e: (e.get("step") is None, e.get("step") or 0)):
        step = int(e.get("step") or 0)
        got = _received_cell(inbox, previous, step)
        previous = step
        extra = {k: v for k, v in e.items() if k not in _KNOWN}
        tokens = _tokens(e)
        rows.append(
            f"<tr class='{'fallback' if e.get('fallback') else ''}'>"
            f"<td class='num'>{_esc(e.get('step', ''))}</td>"
            f"<td>{_esc(_decision(e))}{' (fallback)' if e.get('fallback') else ''}</td>"
            f"<td>{_esc(e.get('reason', ''))}</td>"
            f"<td class='num'>{_esc(e.get('llm_calls', ''))}</td>"
            f"<td class='num'>{'' if tokens is None else tokens}</td>"
            f"<td>{_messages(e)}</td><td>{got}</td>"
            f"<td>{'<pre>' + _esc(_json(extra)) + '</pre>' if extra else ''}</td></tr>"
        )
    return f"<table>{head}{''.join(rows)}</table>"


def render_episode_html(
    record: records_lib.EpisodeRecord,
    trace: Sequence[Mapping[str, Any]] | Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
    *,
    knowledge_graphs: Mapping[str, Any] | None = None,
    gif: str | Path | None = None,
    title: str | None = None,
    top_down: Any = None,
) -> str:
    """The report as one HTML string (see the module docstring for the trace format); `top_down`
    is the world from above at the end of the episode (an RGB array)."""
    title = title or f"{record.method}, {record.n_agents} agents, map {record.map_seed}"
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'>",
        f"<title>{_esc(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{_esc(title)}</h1>",
        _summary_table(record),
        "<h2>Milestones (earliest joint step, any agent)</h2>",
        _milestone_table(record),
    ]
    if gif is not None:
        parts += ["<h2>Episode</h2>", _player(Path(gif), record.n_agents)]
    if top_down is not None:
        parts += ["<h2>The map at the end (from above)</h2>", _image(top_down, "top-down map")]
    by_agent: dict[str, list[Mapping[str, Any]]] = {}
    for entry in _flat_trace(trace):
        by_agent.setdefault(str(entry.get("agent", "team")), []).append(entry)
    received = _received(by_agent)
    graphs = dict(knowledge_graphs or {})
    for agent in sorted(set(by_agent) | set(graphs)):
        entries = by_agent.get(agent, [])
        tokens = sum(_tokens(e) or 0 for e in entries)
        parts.append(
            f"<h2 id='{_esc(agent)}'>{_esc(agent)}: {len(entries)} decisions, {tokens} tokens</h2>"
        )
        if entries:
            parts.append(_agent_table(entries, received.get(agent, [])))
        if agent in graphs:
            parts.append(f"<h3>knowledge graph of {_esc(agent)}</h3>{_graph_svg(graphs[agent])}")
    if not by_agent and not graphs:
        parts.append("<p>No decision trace was recorded for this episode.</p>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_episode_html(
    path: str | Path,
    record: records_lib.EpisodeRecord,
    trace: Sequence[Mapping[str, Any]] | Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
    *,
    knowledge_graphs: Mapping[str, Any] | None = None,
    gif: str | Path | None = None,
    title: str | None = None,
    top_down: Any = None,
) -> Path:
    """Write the report to `path` (parents created) and return it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = render_episode_html(
        record, trace, knowledge_graphs=knowledge_graphs, gif=gif, title=title, top_down=top_down
    )
    path.write_text(text, encoding="utf-8")
    return path
