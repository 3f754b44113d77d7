"""The probe times a handler in the process it starts, as Lambda runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from local_runtime.bench import lambda_probe

HANDLER = """
print("a log line")
def handler(event, context):
    print("another")
    return {"statusCode": 200, "body": context.aws_request_id}
"""


def probe(folder: Path, *arguments: str) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-I", "-S", lambda_probe.__file__, *arguments],
        cwd=folder,
        capture_output=True,
        text=True,
        check=True,
    )
    answer: dict[str, Any] = json.loads(result.stdout)  # the handler's prints went elsewhere
    return answer


def bundle(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / f"{name}_module.py").write_text(HANDLER)
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"version": "2.0"}))
    return folder


def test_a_cold_start_is_timed_to_the_first_answer(tmp_path: Path) -> None:
    folder = bundle(tmp_path, "ours")

    answer = probe(folder, "cold", str(folder), "ours_module.handler", str(tmp_path / "event.json"))

    assert answer["status"] == 200
    assert 0 < answer["init_ms"] <= answer["first_ms"]


def test_a_handler_that_raises_answers_with_its_error(tmp_path: Path) -> None:
    folder = tmp_path / "refuser"
    folder.mkdir()
    (folder / "refuser_module.py").write_text(
        "def handler(event, context):\n    raise PermissionError('refused')\n"
    )
    (tmp_path / "event.json").write_text("{}")

    answer = probe(
        folder, "cold", str(folder), "refuser_module.handler", str(tmp_path / "event.json")
    )

    assert answer["status"] == "raised PermissionError"


def test_warm_invocations_alternate_with_a_baseline(tmp_path: Path) -> None:
    ours, baseline = bundle(tmp_path, "ours"), bundle(tmp_path, "base")
    event = str(tmp_path / "event.json")

    answer = probe(
        ours,
        "warm",
        str(ours),
        "ours_module.handler",
        event,
        "50",
        str(baseline),
        "base_module.handler",
        event,
    )

    assert len(answer["handler"]) == len(answer["baseline"]) == 50
    assert all(duration > 0 for duration in answer["handler"] + answer["baseline"])
    assert answer["statuses"] == [200]
