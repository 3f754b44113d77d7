"""Sending a code: SMS through SNS for a phone, e-mail through SES."""

from __future__ import annotations

from auth.triggers.aws import client


def message(product: str, code: str, ttl_seconds: int) -> str:
    return f"Your {product} sign-in code is {code}. It expires in {describe(ttl_seconds)}."


def describe(seconds: int) -> str:
    if seconds % 60 == 0:
        minutes = seconds // 60
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{seconds} seconds"


def send_sms(phone_number: str, text: str) -> None:
    client("sns").publish(
        PhoneNumber=phone_number,
        Message=text,
        # Transactional: routed for delivery, not price (a sign-in waits on it).
        MessageAttributes={
            "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}
        },
    )


def send_email(sender: str, address: str, product: str, text: str) -> None:
    client("ses").send_email(
        Source=sender,
        Destination={"ToAddresses": [address]},
        Message={
            "Subject": {"Data": f"Your {product} sign-in code", "Charset": "UTF-8"},
            "Body": {"Text": {"Data": text, "Charset": "UTF-8"}},
        },
    )
