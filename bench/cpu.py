"""Where the CPU went during a phase: the web tier, the worker, Postgres, and everything else.

Reads /proc (Linux). A snapshot maps each group to CPU seconds (user + system)
used so far by its live processes; the difference of two snapshots is the CPU
the group used in between. `machine` is the busy time of all CPUs, so
`machine - sum(groups)` is what other work on the machine took.
"""

from __future__ import annotations

import os
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _procs() -> dict[int, tuple[int, float, str]]:
    """pid → (ppid, cpu seconds, cmdline) for every readable process."""
    out = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        out[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK, cmd)
    return out


def _machine_busy() -> float:
    parts = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    vals = [int(v) for v in parts]
    idle = vals[3] + (vals[4] if len(vals) > 4 else 0)
    return (sum(vals[:8]) - idle) / TICK


def snapshot(roots: dict[str, int], pg_database: str) -> dict[str, float]:
    """CPU seconds so far per group: each root pid with its descendants, plus Postgres backends of one database."""
    procs = _procs()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _, _) in procs.items():
        children.setdefault(ppid, []).append(pid)
    out: dict[str, float] = {}
    for name, root in roots.items():
        total, stack = 0.0, [root]
        while stack:
            pid = stack.pop()
            if pid in procs:
                total += procs[pid][1]
            stack.extend(children.get(pid, []))
        out[name] = total
    marker = f" {pg_database} "
    out["postgres"] = sum(cpu for _, cpu, cmd in procs.values() if cmd.startswith("postgres:") and marker in cmd)
    out["machine"] = _machine_busy()
    return out


def delta(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {k: after.get(k, 0.0) - before.get(k, 0.0) for k in after}
