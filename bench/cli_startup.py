"""How long `watchhouse --help` and a light command (`users list`) take, beside an older commit.

Each run is a fresh interpreter (as a user runs the command); the figure is the median wall
and CPU time of --runs runs, old and new alternating so that load on the machine falls on both.
The old code is the `src` of --baseline-ref (default: the commit before the CLI loaded its
commands lazily), extracted with `git archive` and run with the same virtual environment.
Bytecode is written and each command run once untimed first, as on a user's machine:
PYTHONDONTWRITEBYTECODE is removed from the children's environment (with it set every run
compiles every module again, which inflated earlier figures).

    uv run python bench/cli_startup.py --runs 7 --baseline-ref main
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE_REF = "4bbc141"
RUN = (
    "import sys; sys.argv = ['watchhouse', *sys.argv[1:]]; from watchhouse.cli import main; main()"
)


def _extract(ref: str, into: Path) -> Path:
    """The `src` folder of a commit, written under `into`."""
    archive = subprocess.run(
        ["git", "archive", ref, "src"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def _wall(src: Path, args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds for one run of the command with `src` first on
    the path."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", RUN, *args],
        env={**env, "PYTHONPATH": str(src)},
        check=True,
        capture_output=True,
    )
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    """Measure, print the medians and the ratios."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--baseline-ref", default=BASELINE_REF)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cli-startup-") as scratch:
        old_src = _extract(args.baseline_ref, Path(scratch) / "old")
        new_src = ROOT / "src"
        base_env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("WATCHHOUSE_") and k != "PYTHONDONTWRITEBYTECODE"
        }
        # A small store per code (each at its own schema revision) with one user, so
        # `users list` has something to read.
        envs: dict[str, dict[str, str]] = {}
        add_user = ["users", "add", "bench", "--role", "analyst", "--name", "Bench User"]
        for code, src in (("old", old_src), ("new", new_src)):
            envs[code] = {**base_env, "WATCHHOUSE_DATA_DIR": str(Path(scratch) / f"data-{code}")}
            subprocess.run(
                [sys.executable, "-c", RUN, *add_user, "--password", "bench-password-1"],
                env={**envs[code], "PYTHONPATH": str(src)},
                check=True,
                capture_output=True,
            )
        commands = {"--help": ["--help"], "users list": ["users", "list"]}
        times: dict[tuple[str, str], list[tuple[float, float]]] = {}
        for command in commands.values():  # untimed: bytecode written, files cached
            for code, src in (("old", old_src), ("new", new_src)):
                _wall(src, command, envs[code])
        load_before = os.getloadavg()
        for _ in range(args.runs):
            for label, command in commands.items():
                for code, src in (("old", old_src), ("new", new_src)):
                    times.setdefault((label, code), []).append(_wall(src, command, envs[code]))
    load = os.getloadavg()
    print(
        f"median of {args.runs} runs; load average (1, 5 min) {load_before[0]:.2f} "
        f"{load_before[1]:.2f} before, {load[0]:.2f} {load[1]:.2f} after; "
        f"{os.cpu_count()} cores"
    )
    for label in commands:
        old = statistics.median(w for w, _ in times[(label, "old")])
        new = statistics.median(w for w, _ in times[(label, "new")])
        old_cpu = statistics.median(c for _, c in times[(label, "old")])
        new_cpu = statistics.median(c for _, c in times[(label, "new")])
        print(
            f"watchhouse {label}: this code {new:.3f} s wall / {new_cpu:.3f} s CPU, "
            f"{args.baseline_ref} {old:.3f} s / {old_cpu:.3f} s "
            f"({old / new:.1f}x wall, {old_cpu / new_cpu:.1f}x CPU)"
        )


if __name__ == "__main__":
    main()
