from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from auth.triggers import pre_sign_up
from auth.triggers.config import PreSignUpSettings
from auth.triggers.deps import PreSignUpDeps
from service_kernel.settings import load_settings

Event = Callable[[str], dict[str, Any]]
Handler = Callable[[Any, Any], Any]
# The trigger on this environment's settings (AUTO_CONFIRM false, as prod's).
handler: Handler = pre_sign_up.handler.given(PreSignUpDeps(load_settings(PreSignUpSettings)))


def on_stack(*, auto_confirm: bool) -> Handler:
    """The trigger on a stack whose `auth.autoConfirm` is `auto_confirm`."""
    return pre_sign_up.handler.given(PreSignUpDeps(PreSignUpSettings(auto_confirm=auto_confirm)))


def test_a_password_sign_up_waits_for_confirmation_by_default(trigger_event: Event) -> None:
    result = handler(trigger_event("pre_sign_up_sign_up"), None)
    assert result["response"] == {
        "autoConfirmUser": False,
        "autoVerifyEmail": False,
        "autoVerifyPhone": False,
    }


def test_auto_confirm_confirms_and_never_marks_anything_verified(
    trigger_event: Event,
) -> None:
    handler = on_stack(auto_confirm=True)
    result = handler(trigger_event("pre_sign_up_sign_up"), None)
    # Issue 18, finding 7: the sign-up proved nothing (the first code does).
    assert result["response"] == {
        "autoConfirmUser": True,
        "autoVerifyEmail": False,
        "autoVerifyPhone": False,
    }


@pytest.mark.parametrize("auto_confirm", [False, True])
def test_a_client_set_passwordless_flag_changes_nothing(
    trigger_event: Event, auto_confirm: bool
) -> None:
    """ValidationData comes from whoever calls the public SignUp: it confirms no one."""
    handler = on_stack(auto_confirm=auto_confirm)
    flagged = trigger_event("pre_sign_up_sign_up")
    flagged["request"]["validationData"] = {"passwordless": "true"}
    flagged["request"]["clientMetadata"] = {"passwordless": "true"}
    plain = trigger_event("pre_sign_up_sign_up")
    assert handler(flagged, None)["response"] == handler(plain, None)["response"]
    assert flagged["response"]["autoConfirmUser"] is auto_confirm


def test_an_admin_created_user_is_left_as_cognito_makes_it(
    trigger_event: Event,
) -> None:
    handler = on_stack(auto_confirm=True)
    event = trigger_event("pre_sign_up_admin_create_user")
    assert (
        handler(event, None)["response"]
        == trigger_event("pre_sign_up_admin_create_user")["response"]
    )
