"""One key per mailbox, whatever the spelling of its address: what the
budgets and failed-code counts of an e-mail address are keyed by (through
`protocol.destination_hash`). The key only: the address the user typed is
the one Cognito keeps and the code goes to. Standard library only (the
triggers key their counts the same way).

- lower-cased whole, Unicode NFC;
- the domain in IDNA (ASCII) form, without a trailing dot: `bücher.example`
  and `xn--bcher-kva.example` are one domain;
- a `+tag` dropped: most providers (Gmail, Outlook, iCloud, Fastmail)
  deliver `ada+x@` to `ada@`; where one does not, two mailboxes only share
  a budget;
- for Gmail, dots in the local part dropped and googlemail.com folded into
  gmail.com: Google delivers every such spelling to one mailbox."""

from __future__ import annotations

import unicodedata

GMAIL = "gmail.com"
GMAIL_DOMAINS = frozenset({GMAIL, "googlemail.com"})


def mailbox_key(address: str) -> str:
    """The mailbox an address reaches; anything without `local@domain` as it is."""
    folded = unicodedata.normalize("NFC", address.strip()).lower()
    local, at, domain = folded.rpartition("@")
    if not at or not local or not domain:
        return folded
    domain = _ascii_domain(domain)
    local = local.partition("+")[0] or local
    if domain in GMAIL_DOMAINS:
        local, domain = local.replace(".", "") or local, GMAIL
    return f"{local}@{domain}"


def _ascii_domain(domain: str) -> str:
    domain = domain.rstrip(".")
    try:
        return domain.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return domain  # not a domain IDNA can write: keyed as typed
