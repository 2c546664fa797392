"""The README's console examples are real: each `$ kefu …` runs and prints what the README shows.

stdout must match line for line; the README's `kefu: …` lines (stderr) must appear on stderr.
Examples that need credentials, a broken config directory or a shell export are skipped.
"""

import os
import re
import shlex
import subprocess
import sys

import pytest

from conftest import ROOT

# track needs credentials and the imitations; demo.db is the demo history tools/make_report_demo.py makes
# pull needs credentials and the platforms' imitations: tests/test_pull.py runs its examples against them
SKIP = ("export ", "myshop", "kefu track", " track ", "demo.db", " pull ")


def examples():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
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


CASES = [c for c in examples() if not any(s in c[0] for s in SKIP)]


@pytest.fixture(scope="module")
def state_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("readme-state")


@pytest.mark.parametrize("command,expected", CASES, ids=[c[0][:60] for c in CASES])
def test_readme_example(command, expected, state_dir):
    env = dict(os.environ, KEFU_STATE=str(state_dir / "state.db"), LANG="C.UTF-8")
    env.pop("KEFU_CONFIG_DIR", None)
    kefu = f"{shlex.quote(sys.executable)} -m kefu_cli"
    shell = re.sub(r"^kefu\b", kefu, command)
    proc = subprocess.run(["bash", "-c", shell], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    want_out = [line for line in expected if not line.startswith("kefu: ")]
    want_err = [line for line in expected if line.startswith("kefu: ")]
    assert proc.stdout.splitlines() == want_out, proc.stderr
    for line in want_err:
        assert line in proc.stderr.splitlines(), proc.stderr
