"""The stack a benchmark runs against: the program's functions, with their declared
environments, and the AWS resources they use, in moto on loopback (as `make dev`
has them), holding the item the items requests read."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from infra.offline.declared import declare
from local_runtime import model
from local_runtime.emulator import Emulator, region_of
from local_runtime.model import LocalFunction, LocalModel, build_model
from service_manifest import Manifest

# The caller and the item of the items requests: PK = ITEMS#<sub>, SK = ITEM#<item_id>.
CALLER = "bench-user"
ITEM_ID = "bench-item"


@dataclass(frozen=True)
class BenchStack:
    model: LocalModel
    region: str
    endpoint_url: str

    def environment(self, function: LocalFunction) -> dict[str, str]:
        """What a Lambda sandbox of `function` holds, its AWS calls sent to the emulator."""
        return {
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_SESSION_TOKEN": "bench",
            "AWS_LAMBDA_FUNCTION_NAME": function.function_name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory),
            **function.environment,
        }

    def function(self, service: str, name: str) -> LocalFunction:
        for function in self.model.functions.values():
            if function.service == service and function.manifest_function == name:
                return function
        raise LookupError(f"{service}.{name}")

    def functions(self, manifest: Manifest) -> Iterator[tuple[str, LocalFunction]]:
        """The service's functions by their manifest names, in manifest order."""
        for declared in manifest.functions:
            yield declared.name, self.function(manifest.name, declared.name)


@contextmanager
def running_stack(stack: str) -> Iterator[BenchStack]:
    """The stack's resources created in a fresh moto on loopback, for the duration."""
    resources, _ = declare(stack)
    emulator = Emulator(region_of(resources))
    emulator.start()
    try:
        created = emulator.create(resources, model.EMULATED_FIRST)
        # Then what references those (the stack secrets' parameters), as `make dev` does.
        emulator.create(resources, model.EMULATED_LATER, created.substitutions)
        local = build_model([created.substitutions.resource(r) for r in resources])
        bench = BenchStack(local, emulator.region, emulator.url)
        _put_item(emulator, _table_name(local.functions))
        yield bench
    finally:
        emulator.stop()


def _table_name(functions: Mapping[str, LocalFunction]) -> str:
    names = {
        f.environment["TABLE_NAME"] for f in functions.values() if "TABLE_NAME" in f.environment
    }
    (name,) = names
    return name


def _put_item(emulator: Emulator, table: str) -> None:
    emulator.client("dynamodb").put_item(
        TableName=table,
        Item={
            "PK": {"S": f"ITEMS#{CALLER}"},
            "SK": {"S": f"ITEM#{ITEM_ID}"},
            "item_id": {"S": ITEM_ID},
            "name": {"S": "Bench"},
            "price": {"N": "19.99"},
            "currency": {"S": "USD"},
            "description": {"S": ""},
            "tags": {"L": []},
            "created_at": {"S": "2026-01-01T00:00:00.000Z"},
            "updated_at": {"S": "2026-01-01T00:00:00.000Z"},
            "version": {"N": "1"},
        },
    )
