"""A Lambda that needs only settings or AWS clients never loads FastAPI."""

from __future__ import annotations

import subprocess
import sys


def test_settings_and_aws_load_without_fastapi() -> None:
    code = (
        "import sys, service_kernel.settings, service_kernel.aws; "
        "from service_kernel import load_settings; "
        "assert 'fastapi' not in sys.modules, 'fastapi was imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_facade_still_offers_everything() -> None:
    import service_kernel

    for name in service_kernel.__all__:
        assert getattr(service_kernel, name) is not None


def test_all_names_exactly_the_lazy_homes() -> None:
    import service_kernel

    assert set(service_kernel.__all__) == set(service_kernel._HOMES)
