"""`canishare policy graph --procedure N` draws each procedure, as text and as a picture."""
import subprocess
import sys
from pathlib import Path

import pytest

from policy.procedures import load_procedures

CANISHARE = str(Path(sys.executable).parent / "canishare")


@pytest.mark.parametrize("number", [1, 2, 3, 4, 5])
def test_each_procedure_draws_as_mermaid_and_png(number, tmp_path):
    proc = load_procedures()[number]
    text = subprocess.run([CANISHARE, "policy", "graph", "--procedure", str(number)], capture_output=True, text=True, check=True).stdout
    assert text.startswith("flowchart TD")
    assert all(step_id in text for step_id in proc.steps)
    out = tmp_path / f"p{number}.png"
    subprocess.run([CANISHARE, "policy", "graph", "--procedure", str(number), "--format", "png", "-o", str(out)], check=True,
                   capture_output=True)
    assert out.read_bytes().startswith(b"\x89PNG")


def test_unknown_procedure_is_a_readable_error():
    result = subprocess.run([CANISHARE, "policy", "graph", "--procedure", "9"], capture_output=True, text=True)
    assert result.returncode == 1 and "procedures 1 to 5" in result.stderr
