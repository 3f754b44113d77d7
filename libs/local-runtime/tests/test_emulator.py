from __future__ import annotations

from local_runtime.emulator import Substitutions, pascal, region_of
from local_runtime.model import Resource
from tests.fake_program import POOL_ID, declared, health_manifest


def test_mock_ids_are_replaced_in_every_string_and_whole_numbers_become_ints() -> None:
    subs = Substitutions()
    subs.add(POOL_ID, "eu-west-1_Real")
    subs.add("c1", "real-client")  # short: replaced only as a whole value
    resource = Resource(
        "t",
        "n",
        POOL_ID,
        {
            "issuer": f"https://cognito-idp.us-east-1.amazonaws.com/{POOL_ID}",
            "audiences": ["c1"],
            "text": "abc1",
            "limit": 8.0,
            "rate": 0.5,
        },
        {},
    )
    resolved = subs.resource(resource)
    assert resolved.id == "eu-west-1_Real"
    assert resolved.inputs == {
        "issuer": "https://cognito-idp.us-east-1.amazonaws.com/eu-west-1_Real",
        "audiences": ["real-client"],
        "text": "abc1",
        "limit": 8,
        "rate": 0.5,
    }


def test_pulumi_input_names_become_api_names() -> None:
    assert pascal(
        {"allowedOauthFlows": ["code"], "tokenValidityUnits": {"accessToken": "minutes"}}
    ) == {
        "AllowedOAuthFlows": ["code"],
        "TokenValidityUnits": {"AccessToken": "minutes"},
    }
    assert pascal({"callbackUrls": ["x"]}) == {"CallbackURLs": ["x"]}


def test_the_region_comes_from_the_declared_arns() -> None:
    assert region_of(declared([health_manifest()])) == "us-east-1"
    assert region_of([]) == "us-east-1"
    arn = "arn:aws:dynamodb:eu-west-1:1:table/t"
    assert region_of([Resource("t", "n", "i", {}, {"arn": arn})]) == "eu-west-1"
