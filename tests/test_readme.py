"""The README's console examples are real: every `$ …` line runs, in the README's order, and prints
what the README shows — as a newcomer would type them on a fresh machine.

All examples share one desk: a fresh working directory holding the checkout's examples/, tools/
and config/ (so `demo.db`, `day.html` and a copied `myshop/` land there, not in the checkout), one
state file, and one environment that each example leaves to the next (`export …` and
`eval "$(python tools/imitate.py)"` carry on, as in a shell). Nothing is skipped: a new command's
README section is run as soon as it is written (only what another test runs with what it needs,
RUN_ELSEWHERE, is left to that test).

stdout must match line for line (trailing blanks aside: editors strip them); the README's
`kefu: …` lines (stderr) must appear on stderr. A `$ ` line may continue with `\\`.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROXY_VARS, ROOT


def examples(text: str) -> list[tuple[str, list[str]]]:
    out = []
    for block in re.findall(r"```console\n(.*?)```", text, re.S):
        lines = block.splitlines()
        i = 0
        while i < len(lines):
            if not lines[i].startswith("$ "):
                i += 1
                continue
            command = lines[i][2:]
            while command.endswith("\\"):
                i += 1
                command = command[:-1] + lines[i].strip()
            i += 1
            expected = []
            while i < len(lines) and not lines[i].startswith("$ "):
                expected.append(lines[i])
                i += 1
            out.append((command.strip(), expected))
    return out


CASES = examples((ROOT / "README.md").read_text(encoding="utf-8"))
# examples another test runs, with what it needs: `kefu pull` needs the platforms' imitations
# (tests/spapi_server.py, tests/rms_server.py), and tests/test_pull.py runs the README's pull
# examples against them
RUN_ELSEWHERE = {" pull ": "tests/test_pull.py runs the README's pull examples against the platforms' imitations"}


def elsewhere(command: str) -> str | None:
    return next((why for word, why in RUN_ELSEWHERE.items() if word in f" {command} "), None)


class Desk:
    """A shell session on a fresh machine: the examples run one after another, each in bash, and
    the environment one leaves behind (its exports) is the next one's."""

    def __init__(self, home: Path):
        self.cwd = home / "desk"
        self.cwd.mkdir()
        for name in ("examples", "tools", "config"):
            (self.cwd / name).symlink_to(ROOT / name)
        env = {k: v for k, v in os.environ.items() if k not in PROXY_VARS and not k.startswith("KEFU_")}
        # `kefu` and `python` are the ones of the interpreter running the tests (as in an activated venv)
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
        # no KEFU_STATE: the state file is where a fresh machine has it, under $HOME
        env.update(LANG="C.UTF-8", HOME=str(home), XDG_STATE_HOME=str(home / ".local" / "state"))
        env.pop("LC_ALL", None)
        self.env = env
        self.envfile = home / "env"
        self.done = 0
        self.results: dict[int, subprocess.CompletedProcess] = {}

    def run(self, index: int) -> subprocess.CompletedProcess:
        while self.done <= index:
            if not elsewhere(CASES[self.done][0]):
                self.results[self.done] = self._run(CASES[self.done][0])
            self.done += 1
        return self.results[index]

    def _run(self, command: str) -> subprocess.CompletedProcess:
        script = (f'kefu() {{ {sys.executable!r} -m kefu_cli "$@"; }}\n{command}\n'
                  f'__rc=$?\nenv -0 > {str(self.envfile)!r}\nexit $__rc\n')
        proc = subprocess.run(["bash", "-c", script], capture_output=True, text=True, cwd=self.cwd, env=self.env,
                              timeout=180)
        if self.envfile.exists():
            pairs = self.envfile.read_text().split("\0")
            self.env = dict(p.split("=", 1) for p in pairs if "=" in p and not p.startswith("BASH_FUNC_"))
            self.envfile.unlink()
        return proc

    def close(self) -> None:
        pid = self.env.get("KEFU_IMITATION_PID")  # the imitations an example started in the background
        if pid:
            try:
                os.kill(int(pid), signal.SIGTERM)
            except ProcessLookupError:
                pass


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    session = Desk(tmp_path_factory.mktemp("newcomer"))
    yield session
    session.close()


def test_every_command_has_a_runnable_example():
    """A command the README does not show running (a new one, say) fails here, not at a newcomer's desk."""
    from kefu_cli.cli.app import cli

    words = {w for command, _ in CASES for w in re.findall(r"[a-z]+", command)}
    assert [name for name in cli.commands if name not in words] == []
    assert any("tools/imitate.py" in command for command, _ in CASES)


@pytest.mark.parametrize("index", range(len(CASES)), ids=[c[0][:60] for c in CASES])
def test_readme_example(index, desk):
    command, expected = CASES[index]
    if elsewhere(command):
        pytest.skip(elsewhere(command))
    proc = desk.run(index)
    want_out = [line.rstrip() for line in expected if not line.startswith("kefu: ")]
    want_err = [line for line in expected if line.startswith("kefu: ")]
    assert [line.rstrip() for line in proc.stdout.splitlines()] == want_out, proc.stderr
    for line in want_err:
        assert line in proc.stderr.splitlines(), proc.stderr
