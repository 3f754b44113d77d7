from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from auth.triggers import pre_sign_up
from auth.triggers.pre_sign_up import handler

Event = Callable[[str], dict[str, Any]]


def test_a_password_sign_up_waits_for_confirmation_by_default(trigger_event: Event) -> None:
    result = handler(trigger_event("pre_sign_up_sign_up"), None)
    assert result["response"] == {
        "autoConfirmUser": False,
        "autoVerifyEmail": False,
        "autoVerifyPhone": False,
    }


def test_auto_confirm_confirms_and_verifies_what_the_user_gave(
    trigger_event: Event, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pre_sign_up.settings, "auto_confirm", True)
    result = handler(trigger_event("pre_sign_up_sign_up"), None)
    assert result["response"] == {
        "autoConfirmUser": True,
        "autoVerifyEmail": True,
        "autoVerifyPhone": False,
    }


@pytest.mark.parametrize("auto_confirm", [False, True])
def test_a_client_set_passwordless_flag_changes_nothing(
    trigger_event: Event, monkeypatch: pytest.MonkeyPatch, auto_confirm: bool
) -> None:
    """ValidationData comes from whoever calls the public SignUp: it confirms no one."""
    monkeypatch.setattr(pre_sign_up.settings, "auto_confirm", auto_confirm)
    flagged = trigger_event("pre_sign_up_sign_up")
    flagged["request"]["validationData"] = {"passwordless": "true"}
    flagged["request"]["clientMetadata"] = {"passwordless": "true"}
    plain = trigger_event("pre_sign_up_sign_up")
    assert handler(flagged, None)["response"] == handler(plain, None)["response"]
    assert flagged["response"]["autoConfirmUser"] is auto_confirm


def test_an_admin_created_user_is_left_as_cognito_makes_it(
    trigger_event: Event, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pre_sign_up.settings, "auto_confirm", True)
    event = trigger_event("pre_sign_up_admin_create_user")
    assert (
        handler(event, None)["response"]
        == trigger_event("pre_sign_up_admin_create_user")["response"]
    )
