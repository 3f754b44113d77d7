"""A handler module's init phase: FastAPI's own models built on first use, the garbage
collector paused and what init built frozen. Each test is a fresh interpreter: in
this one FastAPI is imported already."""

from __future__ import annotations

import subprocess
import sys


def run(code: str) -> None:
    subprocess.run([sys.executable, "-c", code], check=True)


def test_fastapis_openapi_models_are_built_on_first_use_and_ours_at_once() -> None:
    run(
        "from service_kernel.init_phase import init_phase\n"
        "from pydantic import BaseModel\n"
        "with init_phase():\n"
        "    import fastapi.openapi.models as models\n"
        "    class Ours(BaseModel):\n"
        "        name: str\n"
        "assert not models.OpenAPI.__pydantic_complete__, 'built at import'\n"
        "assert Ours.__pydantic_complete__, 'a service model was deferred'\n"
        "from pydantic._internal._config import config_defaults\n"
        "assert config_defaults['defer_build'] is False, 'the default stayed changed'\n"
    )


def test_the_openapi_document_is_the_same_either_way() -> None:
    document = (
        "from service_kernel import create_app\n"
        "app = create_app('probe', '1.0', docs=True)\n"
        "@app.get('/things/{thing_id}')\n"
        "async def thing(thing_id: int) -> dict[str, int]:\n"
        "    return {'thing_id': thing_id}\n"
        "import json; print(json.dumps(app.openapi(), sort_keys=True))\n"
    )
    deferred = "from service_kernel.init_phase import init_phase\nwith init_phase():\n" + "".join(
        f"    {line}\n" for line in document.splitlines()
    )
    plain = subprocess.run(
        [sys.executable, "-c", document], check=True, capture_output=True, text=True
    )
    primed = subprocess.run(
        [sys.executable, "-c", deferred], check=True, capture_output=True, text=True
    )
    assert primed.stdout == plain.stdout


def test_the_collector_runs_again_after_init_and_skips_what_init_built() -> None:
    run(
        "import gc\n"
        "from service_kernel.init_phase import init_phase\n"
        "with init_phase():\n"
        "    assert not gc.isenabled()\n"
        "    import fastapi\n"
        "assert gc.isenabled()\n"
        "assert gc.get_freeze_count() > 10_000\n"
    )
