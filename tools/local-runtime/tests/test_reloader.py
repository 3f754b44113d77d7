from __future__ import annotations

import os
from pathlib import Path

from local_runtime.reloader import Reloader


def touch(path: Path, bump: int = 1) -> None:
    stat = path.stat()
    os.utime(path, (stat.st_atime, stat.st_mtime + bump))


def test_an_edit_under_a_watched_folder_or_to_a_watched_file_is_noticed(tmp_path: Path) -> None:
    source = tmp_path / "src" / "svc"
    source.mkdir(parents=True)
    (source / "app.py").write_text("x = 1\n")
    (source / "notes.txt").write_text("not code\n")
    stack = tmp_path / "Pulumi.dev.yaml"
    stack.write_text("config: {}\n")
    changed: list[str] = []
    reloader = Reloader({"svc": [tmp_path / "src"], "program": [stack]}, changed.append)

    assert reloader.poll() == []
    touch(source / "notes.txt")
    assert reloader.poll() == []  # only Python sources count in a folder
    touch(source / "app.py")
    (source / "new.py").write_text("y = 2\n")
    assert reloader.poll() == ["svc"]
    touch(stack)
    assert reloader.poll() == ["program"]
    assert changed == ["svc", "program"]
