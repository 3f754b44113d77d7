"""`make preflight` against emulated accounts: a bare one refuses prod, naming the
unverified SES identity; the one `make dev` prepares takes dev."""

from __future__ import annotations

import pytest

from infra.operations import preflight
from infra.program.stack_files import stack_config
from local_runtime.runtime import Runtime
from tests.bare_account import bare_account

_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}


def _preflight(
    stack: str, url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, list[str]]:
    # Only what the preflight itself reads: the caller's credentials and AWS_ENDPOINT_URL.
    for name, value in {**_CREDENTIALS, "AWS_ENDPOINT_URL": url}.items():
        monkeypatch.setenv(name, value)
    status = preflight.main(["--stack", stack])
    return status, capsys.readouterr().out.splitlines()


def test_a_bare_account_fails_prod_naming_the_unverified_identity(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = stack_config("prod")
    identity = preflight.sending_identity(config)
    with bare_account(config.region) as url:
        status, lines = _preflight("prod", url, monkeypatch, capsys)
    assert status == 1
    failed = [line for line in lines if line.startswith("FAIL ses-identity:")]
    assert len(failed) == 1, lines
    assert identity in failed[0]
    assert "fix:" in failed[0]
    assert all(line.startswith(("ok ", "FAIL ")) for line in lines[:-1])


def test_the_account_make_dev_prepares_takes_dev(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    status, lines = _preflight("dev", runtime.emulator.url, monkeypatch, capsys)
    assert [line for line in lines if line.startswith("FAIL")] == []
    assert status == 0
    assert len(lines) == len(preflight.CHECKS) + 1
