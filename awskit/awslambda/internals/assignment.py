"""The assignment service: which execution environment serves a request (fact A1).

What AWS reports [T25][Q23s][Q23n][SVS404]: the assignment service (Rust, ~2022; it replaced the
"Worker Manager", which kept environment state in memory and lost it when a host or AZ failed)
routes each invoke to a warm idle environment of the function, or asks the placement service
for a new one. Its state is partitioned; each partition has a leader and followers; every
change is written to an *external* journal log, so when a leader fails a follower replays the
log and takes over, and no environment is forgotten.

How we model it:

- :data:`Model.partitions` partitions; a function version's environments live in partition
  ``sha256(function_key) mod partitions`` (stable across runs and processes);
- each partition has ``replicas_per_partition`` nodes in different AZs, the first the leader:
  **1 leader + 2 followers over 3 AZs is unconfirmed** [SVS404] (a plausible layout; in a
  Region with fewer AZs than nodes, nodes share an AZ);
- every change (``create``, ``assign``, ``release``, ``reclaim``, ``drain``) is appended to the
  partition's journal with the next sequence number; the leader applies it at once; a follower
  applies the journal tail every ``follower_sync_s`` simulated seconds (staggered per node), so
  at any moment it may lag the leader by the entries of the last second;
- :meth:`Assignment.fail_leader` marks the leader failed; the next request to that partition
  detects it, promotes the most up-to-date follower, which replays exactly the entries after its
  last applied sequence number, and starts a replacement follower in the failed node's AZ (it
  rebuilds from the checkpoint + journal in the background);
- old entries are folded into a checkpoint once every node has applied them (log compaction).

Each node's *view* (env id -> function, state, last use) is rebuilt from the journal alone; the
environments themselves (``ExecutionEnvironment`` objects, on their worker hosts) are the
shared ``environments`` registry, which the leader's view indexes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

OPS = ("create", "assign", "release", "reclaim", "drain")


@dataclass
class Node:
    """One assignment-service node of a partition: its view, rebuilt from the journal alone."""

    node_id: str
    az: str
    role: str                      # "leader" | "follower" | "failed"
    phase: float                   # offset of its journal syncs (s)
    applied_seq: int = 0
    # env_id -> [function_key, state, last_used, provisioned, seq of the last change]
    view: dict = field(default_factory=dict)
    # function_key -> {provisioned: {env_id: None}} of idle environments, least recently used
    # first (an index of ``view``, never saved: rebuilt by :meth:`set_view`)
    idle: dict = field(default_factory=dict, repr=False)

    def _unidle(self, env_id: str, row: list) -> None:
        pools = self.idle.get(row[0])
        if pools is not None:
            pools[bool(row[3])].pop(env_id, None)

    def _add_idle(self, env_id: str, row: list) -> None:
        self.idle.setdefault(row[0], {True: {}, False: {}})[bool(row[3])][env_id] = None

    def apply(self, entry) -> None:
        seq, t, op, env_id, function_key, provisioned = entry
        row = self.view.get(env_id)
        if op == "create":
            self.view[env_id] = [function_key, "initializing", t, provisioned, seq]
        elif row is not None and op == "assign":
            self._unidle(env_id, row)
            row[1], row[4] = "busy", seq
        elif row is not None and op == "release":
            self._unidle(env_id, row)
            row[1], row[2], row[4] = "idle", t, seq
            self._add_idle(env_id, row)
        elif row is not None and op in ("reclaim", "drain"):
            self._unidle(env_id, row)
            del self.view[env_id]
        self.applied_seq = seq

    def set_view(self, view: dict) -> None:
        self.view = {k: list(v) for k, v in view.items()}
        self.idle = {}
        for env_id, row in sorted(self.view.items(), key=lambda kv: (kv[1][2], kv[1][4])):
            if row[1] == "idle":
                self._add_idle(env_id, row)

    def most_recent_idle(self, function_key: str, prefer_provisioned: bool) -> str | None:
        pools = self.idle.get(function_key)
        if not pools:
            return None
        if prefer_provisioned and pools[True]:
            return next(reversed(pools[True]))
        last = [next(reversed(d)) for d in (pools[True], pools[False]) if d]
        if not last:
            return None
        return max(last, key=lambda e: (self.view[e][2], self.view[e][4]))


@dataclass
class Partition:
    index: int
    nodes: list[Node]
    journal: list[tuple] = field(default_factory=list)   # entries after the checkpoint
    checkpoint_seq: int = 0
    checkpoint: dict = field(default_factory=dict)        # view as of checkpoint_seq
    next_node: int = 0
    failovers: list[dict] = field(default_factory=list)

    @property
    def last_seq(self) -> int:
        return self.journal[-1][0] if self.journal else self.checkpoint_seq

    @property
    def leader(self) -> Node | None:
        for node in self.nodes:
            if node.role == "leader":
                return node
        return None


class Assignment:
    """One Region's assignment service (see the module docstring)."""

    component = "Assignment service"

    def __init__(self, clock, model, azs: list[str], environments: dict):
        self.clock = clock
        self.model = model
        self.azs = list(azs)
        self.environments = environments          # env_id -> ExecutionEnvironment (shared)
        self.partitions: list[Partition] = [self._new_partition(p) for p in range(model.partitions)]

    def _new_node(self, part: Partition, az: str, role: str, slot: int) -> Node:
        part.next_node += 1
        n = self.model.replicas_per_partition
        return Node(f"p{part.index}-n{part.next_node}", az, role,
                    phase=round(slot * self.model.follower_sync_s / n, 6))

    def _new_partition(self, p: int) -> Partition:
        part = Partition(p, [])
        for i in range(self.model.replicas_per_partition):
            az = self.azs[(p + i) % len(self.azs)]
            part.nodes.append(self._new_node(part, az, "leader" if i == 0 else "follower", i))
        return part

    # -- routing -----------------------------------------------------------------------------------
    def partition_of(self, function_key: str) -> int:
        """The partition holding ``function_key``'s environments (SHA-256, stable everywhere)."""
        digest = hashlib.sha256(function_key.encode()).digest()
        return int.from_bytes(digest[:8], "big") % len(self.partitions)

    def find_warm(self, function_key: str, prefer_provisioned: bool = False):
        """(an idle environment of ``function_key`` or None, steps). The choice: provisioned
        first if asked, then the most recently released (teaching choice: extra environments
        then idle out and are reclaimed)."""
        part = self.partitions[self.partition_of(function_key)]
        leader, steps = self._leader(part)
        best = leader.most_recent_idle(function_key, prefer_provisioned)
        env = self.environments.get(best) if best else None
        where = f"partition {part.index} (leader {leader.node_id}, {leader.az})"
        if env is not None:
            text = (f"{where}: idle environment {env.env_id} on {env.host_id} ({env.az}), "
                    f"idle {self.clock.elapsed - env.last_used:.3f} s")
        else:
            text = f"{where}: no idle environment of {_short(function_key)}; ask placement"
        steps.append((self.component, f"Find a warm environment in {text}", self.model.assignment_ms,
                      {"partition": part.index, "leader": leader.node_id,
                       "env_id": env.env_id if env else None, "warm": env is not None}))
        return env, steps

    def routed_state(self, env) -> str | None:
        """The state of ``env`` as the partition leader sees it (None if unknown)."""
        part = self.partitions[env.partition]
        leader = part.leader
        row = leader.view.get(env.env_id) if leader is not None else None
        return row[1] if row else None

    # -- changes, each journaled -------------------------------------------------------------------
    def register(self, env) -> list:
        """A new environment (created for a request, or for provisioned concurrency)."""
        env.partition = self.partition_of(env.function_key)
        self.environments[env.env_id] = env
        return self._append(env, "create", f"create {env.env_id} on {env.host_id}")

    def assign(self, env) -> list:
        """The environment takes a request (from idle, or after its INIT)."""
        env.state = "busy"
        return self._append(env, "assign", f"assign {env.env_id} to a request")

    def release(self, env) -> list:
        """The request ended: the environment is frozen and idle."""
        env.state = "idle"
        env.last_used = self.clock.elapsed
        return self._append(env, "release", f"release {env.env_id}: idle")

    def reclaim(self, env, reason: str) -> list:
        """Idle too long: the environment is removed."""
        return self._remove(env, "reclaim", reason)

    def drain(self, env, reason: str) -> list:
        """Lease ended, error or unhealthy host: stop routing to the environment, remove it."""
        return self._remove(env, "drain", reason)

    def _remove(self, env, op: str, reason: str) -> list:
        env.state = "reclaimed"
        env.reclaimed_reason = reason
        steps = self._append(env, op, f"{op} {env.env_id} ({reason})")
        self.environments.pop(env.env_id, None)
        return steps

    def _append(self, env, op: str, text: str) -> list:
        part = self.partitions[env.partition]
        leader, steps = self._leader(part)
        entry = (part.last_seq + 1, self.clock.elapsed, op, env.env_id, env.function_key,
                 bool(env.provisioned))
        part.journal.append(entry)
        leader.apply(entry)
        self._compact(part)
        steps.append((self.component, f"Journal #{entry[0]} (partition {part.index}): {text}",
                      self.model.journal_append_ms,
                      {"partition": part.index, "seq": entry[0], "op": op, "env_id": env.env_id,
                       "leader": leader.node_id}))
        return steps

    # -- followers, failures -----------------------------------------------------------------------
    def _sync(self, part: Partition) -> None:
        """Followers apply the journal entries written before their last sync tick."""
        every = self.model.follower_sync_s
        now = self.clock.elapsed
        for node in part.nodes:
            if node.role != "follower":
                continue
            tick = ((now - node.phase) // every) * every + node.phase
            for entry in part.journal[max(0, node.applied_seq - part.checkpoint_seq):]:
                if entry[1] > tick:
                    break
                node.apply(entry)

    def _leader(self, part: Partition) -> tuple[Node, list]:
        """The partition's leader, failing over first if it is down (steps say how)."""
        self._sync(part)
        leader = part.leader
        if leader is not None:
            return leader, []
        failed = next(n for n in part.nodes if n.role == "failed")
        slot = part.nodes.index(failed)
        followers = [n for n in part.nodes if n.role == "follower"]
        if followers:   # the most up-to-date follower wins; ties: the partition's node order
            chosen = max(followers, key=lambda n: (n.applied_seq, -part.nodes.index(n)))
            replacement = self._new_node(part, failed.az, "follower", slot)
            self._rebuild(part, replacement)
            part.nodes[slot] = replacement
        else:           # no follower (one replica): a new node starts from the checkpoint
            chosen = replacement = self._new_node(part, failed.az, "follower", slot)
            chosen.set_view(part.checkpoint)
            chosen.applied_seq = part.checkpoint_seq
            part.nodes[slot] = chosen
        start = chosen.applied_seq
        tail = part.journal[start - part.checkpoint_seq:]
        for entry in tail:
            chosen.apply(entry)
        chosen.role = "leader"
        idle = sum(1 for row in chosen.view.values() if row[1] == "idle")
        ms = round(self.model.failover_detect_ms + len(tail) * self.model.replay_entry_ms, 3)
        record = {"partition": part.index, "failed": failed.node_id, "failed_az": failed.az,
                  "new_leader": chosen.node_id, "new_leader_az": chosen.az,
                  "replayed": len(tail), "from_seq": start + 1, "to_seq": part.last_seq,
                  "environments": len(chosen.view), "idle_environments": idle,
                  "replacement": replacement.node_id, "at": self.clock.elapsed, "ms": ms}
        part.failovers.append(record)
        rng = f"#{start + 1}-#{part.last_seq}" if tail else "none"
        who = (f"follower {chosen.node_id} ({chosen.az})" if followers else
               f"no follower: new node {chosen.node_id} ({chosen.az}) loads the checkpoint,")
        then = (f"; replacement follower {replacement.node_id} starts in {failed.az}"
                if followers else "")
        return chosen, [(self.component,
                         f"Leader {failed.node_id} ({failed.az}) of partition {part.index} is down: "
                         f"{who} replays journal entries {rng} ({len(tail)} entries) and becomes "
                         f"leader; {_n(len(chosen.view), 'environment')} kept ({idle} idle){then}", ms,
                         dict(record))]

    def _rebuild(self, part: Partition, node: Node) -> None:
        node.set_view(part.checkpoint)
        node.applied_seq = part.checkpoint_seq
        for entry in part.journal:
            node.apply(entry)

    def fail_leader(self, partition: int) -> dict:
        """Make partition ``partition``'s leader fail; the next request there fails over."""
        if not isinstance(partition, int) or not 0 <= partition < len(self.partitions):
            raise ValueError(f"partition must be 0..{len(self.partitions) - 1}")
        part = self.partitions[partition]
        self._sync(part)
        leader = part.leader
        if leader is None:
            raise ValueError(f"partition {partition}'s leader has already failed; send a request "
                             "there to fail over first")
        leader.role = "failed"
        leader.set_view({})                   # its in-memory state is gone with it
        return {"partition": partition, "failed": leader.node_id, "az": leader.az,
                "journal_last_seq": part.last_seq,
                "followers": {n.node_id: n.applied_seq for n in part.nodes if n.role == "follower"}}

    def _compact(self, part: Partition) -> None:
        keep = self.model.journal_checkpoint_every
        if len(part.journal) < 2 * keep:
            return
        floor = min(n.applied_seq for n in part.nodes if n.role != "failed")
        upto = min(floor, part.last_seq - keep)
        if upto <= part.checkpoint_seq:
            return
        base = Node("checkpoint", "", "checkpoint", 0.0, part.checkpoint_seq)
        base.set_view(part.checkpoint)
        cut = upto - part.checkpoint_seq
        for entry in part.journal[:cut]:
            base.apply(entry)
        part.checkpoint, part.checkpoint_seq = base.view, upto
        del part.journal[:cut]

    # -- reading, saving ---------------------------------------------------------------------------
    def state(self) -> dict:
        """For a student: every partition, its nodes (role, AZ, applied seq), journal, counts."""
        out = []
        for part in self.partitions:
            self._sync(part)
            leader = part.leader
            view = leader.view if leader else {}
            out.append({"partition": part.index,
                        "leader": leader.node_id if leader else None,
                        "nodes": [{"node": n.node_id, "az": n.az, "role": n.role,
                                   "applied_seq": n.applied_seq} for n in part.nodes],
                        "journal_length": part.last_seq, "journal_kept": len(part.journal),
                        "checkpoint_seq": part.checkpoint_seq,
                        "environments": len(view),
                        "idle": sum(1 for row in view.values() if row[1] == "idle"),
                        "failovers": len(part.failovers)})
        return {"partitions": out}

    def journal(self, partition: int) -> list[dict]:
        """The journal entries still kept for ``partition`` (after its checkpoint)."""
        return [dict(zip(("seq", "t", "op", "env_id", "function_key", "provisioned"), e))
                for e in self.partitions[partition].journal]

    def dump(self) -> dict:
        return {"partitions": [
            {"index": p.index, "journal": [list(e) for e in p.journal],
             "checkpoint_seq": p.checkpoint_seq, "checkpoint": p.checkpoint,
             "next_node": p.next_node, "failovers": p.failovers,
             "nodes": [{"node_id": n.node_id, "az": n.az, "role": n.role, "phase": n.phase,
                        "applied_seq": n.applied_seq, "view": n.view} for n in p.nodes]}
            for p in self.partitions]}

    def restore(self, data: dict) -> None:
        parts = []
        for saved in data["partitions"]:
            part = Partition(saved["index"], [], [tuple(e) for e in saved["journal"]],
                             saved["checkpoint_seq"],
                             {k: list(v) for k, v in saved["checkpoint"].items()},
                             saved["next_node"], list(saved["failovers"]))
            part.nodes = []
            for n in saved["nodes"]:
                node = Node(n["node_id"], n["az"], n["role"], n["phase"], n["applied_seq"])
                node.set_view(n["view"])
                part.nodes.append(node)
            parts.append(part)
        self.partitions = parts


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _short(function_key: str) -> str:
    parts = function_key.split(":")
    return ":".join(parts[6:]) if len(parts) > 6 else function_key
