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


def test_a_passwordless_sign_up_is_confirmed_but_nothing_verified(trigger_event: Event) -> None:
    event = trigger_event("pre_sign_up_sign_up")
    event["request"]["validationData"] = {"passwordless": "true"}
    result = handler(event, None)
    assert result["response"] == {
        "autoConfirmUser": True,
        "autoVerifyEmail": False,
        "autoVerifyPhone": False,
    }


def test_an_admin_created_user_is_left_as_cognito_makes_it(
    trigger_event: Event, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pre_sign_up.settings, "auto_confirm", True)
    event = trigger_event("pre_sign_up_admin_create_user")
    assert (
        handler(event, None)["response"]
        == trigger_event("pre_sign_up_admin_create_user")["response"]
    )
