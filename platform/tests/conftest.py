"""Keep the standard library's `platform` module importable while these tests run.

pytest's importlib mode names a test file here `platform.tests.<dir>.test_x` and
imports `platform` as a namespace package over the standard library module of
that name, so a later `import platform` (pkg_resources, botocore, ...) gets the
folder. Putting the real module back once, here, before any test module is
imported, keeps it: pytest only re-imports a parent that is missing.
"""

from __future__ import annotations

import importlib.util
import sys
import sysconfig
from pathlib import Path


def _restore_stdlib_platform() -> None:
    current = sys.modules.get("platform")
    if current is None or not hasattr(current, "python_implementation"):
        path = Path(sysconfig.get_path("stdlib")) / "platform.py"
        spec = importlib.util.spec_from_file_location("platform", path)
        if spec is None or spec.loader is None:
            raise ImportError(f"no standard library module at {path}")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        if current is not None:
            # Keep pytest's made-up `platform.tests...` modules reachable from the real one.
            for name, value in vars(current).items():
                if not name.startswith("__"):
                    setattr(module, name, value)
        sys.modules["platform"] = module
        current = module
    # With a __path__, pytest sees a package and never re-imports it as the folder.
    if not hasattr(current, "__path__"):
        current.__path__ = [str(Path(__file__).resolve().parents[1])]


_restore_stdlib_platform()
