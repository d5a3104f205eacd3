"""The episode contract: how any team plays one episode and what the record of it holds.

`episode.team` (Agent, Team, AgentSpec, Counters), `episode.loop` (the episode loop) and
`episode.record` (the episode record). It imports only `envs`; see `episode.loop` for why it is a
package of its own.
"""
