"""New passwords follow NCSC guidance: long enough, not common or breached, not the username.
Checked offline by zxcvbn's shipped lists through the policy's [security] settings."""

from __future__ import annotations

import pytest

from watchhouse.domain.errors import ValidationFailed
from watchhouse.domain.roles import Role
from watchhouse.services import accounts

pytestmark = pytest.mark.integration


def _refusal(ctx, username: str, password: str) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed) as refused:
        accounts.add_user(
            ctx, username=username, display_name="New User", role=Role.ANALYST, password=password
        )
    problems = {p.field: p.reason for p in refused.value.problems}
    assert list(problems) == ["password"]
    return problems["password"]


@pytest.mark.parametrize(
    "password", ["password12", "1234567890", " " * 10, "qwertyuiop", "Password123!"]
)
def test_common_and_easily_guessed_passwords_are_refused(ctx, password: str) -> None:
    assert "too common or too easy to guess" in _refusal(ctx, "jane.smith", password)


@pytest.mark.parametrize("password", ["jane.smith", "Jane_Smith", "janesmith1"])
def test_the_username_is_refused_as_a_password(ctx, password: str) -> None:
    reason = _refusal(ctx, "jane.smith", password)
    assert "username" in reason or "too common" in reason


def test_a_password_that_is_the_username_exactly_names_the_username_rule(ctx) -> None:
    assert _refusal(ctx, "dispatcher42", "dispatcher42") == "must not be the username or part of it"


def test_a_short_password_is_refused_with_the_policy_length(ctx) -> None:
    assert _refusal(ctx, "jane.smith", "x7#Kq!") == "must be at least 10 characters"


def test_three_random_words_are_accepted_and_sign_in(ctx) -> None:
    accounts.add_user(
        ctx,
        username="jane.smith",
        display_name="Jane Smith",
        role=Role.ANALYST,
        password="otter lantern gravel",
    )
    assert accounts.sign_in(ctx, username="jane.smith", password="otter lantern gravel")


def test_setting_a_new_password_follows_the_same_rules(ctx, actors) -> None:
    with pytest.raises(ValidationFailed) as refused:
        accounts.set_password(ctx, username="call_handler", password="password12")
    assert refused.value.problems[0].field == "password"
