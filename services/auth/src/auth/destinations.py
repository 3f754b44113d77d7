"""Phone numbers and e-mail addresses, normalised before they key anything.

A phone number is parsed with `phonenumbers` (Google's libphonenumber
metadata) from ASCII digits only — `+1` then fullwidth digits (U+FF10-FF19) would
otherwise parse to the same number under another spelling — and written in
E.164. Whether it may be sent to is decided by `sms_refusal`: its region
must be on the stack's list and its type a mobile one, never a premium,
shared-cost, toll-free, VoIP or international-network range (+882, +883,
+979 and their like have no region at all). E-mail addresses are Unicode
NFC, lower-cased whole (the pool's usernames are case-insensitive)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection

import phonenumbers
from phonenumbers import PhoneNumberType

# What may be typed: a leading +, ASCII digits and the usual separators.
TYPED_PHONE_PATTERN = r"^\+[0-9][0-9 ().\-]{5,30}$"
_TYPED_PHONE = re.compile(TYPED_PHONE_PATTERN)
# Types that receive SMS. FIXED_LINE_OR_MOBILE is where the metadata cannot
# tell the two apart (the US, Canada).
SMS_TYPES = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})


class NotAPhoneNumber(ValueError):
    pass


def normalize_phone(typed: str) -> str:
    """E.164 for what a client typed; NotAPhoneNumber when it is not one."""
    if not _TYPED_PHONE.match(typed):
        raise NotAPhoneNumber("a phone number in international format, ASCII digits only")
    try:
        number = phonenumbers.parse(typed, None)
    except phonenumbers.NumberParseException:
        raise NotAPhoneNumber("not a phone number") from None
    if not phonenumbers.is_possible_number(number):
        raise NotAPhoneNumber("not a possible phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def sms_refusal(e164: str, regions: Collection[str]) -> str | None:
    """Why an SMS may not go to this number, or None when it may."""
    number = phonenumbers.parse(e164, None)
    if not phonenumbers.is_valid_number(number):
        return "not a number in service"
    region = phonenumbers.region_code_for_number(number)
    if region not in regions:
        return "not a country this service sends SMS to"
    if phonenumbers.number_type(number) not in SMS_TYPES:
        return "not a mobile number"
    return None


def normalize_email(typed: str) -> str:
    return unicodedata.normalize("NFC", typed.strip()).lower()
