"""The stack's SES identity: what its pool and its auth service send mail through.

An address identity is verified by the link SES mails to it; a domain identity by its
Easy DKIM records (three CNAMEs), published here in the stack's own hosted zone when it
has one. Cognito checks the exact identity its pool's `sourceArn` names
(aws-amplify/amplify-backend#3134), so the pool takes that ARN from this resource's
output, and so waits for it.

Declared at the top level, named `email-sender` as before, so an existing stack keeps
its identity (and its verification) rather than replacing it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

# Easy DKIM gives every domain identity three tokens (Amazon SES Developer Guide,
# "Easy DKIM in Amazon SES"), each a CNAME <token>._domainkey.<domain> to
# <token>.dkim.amazonses.com.
DKIM_TOKENS = 3
DKIM_TTL_SECONDS = 1800


@dataclass(frozen=True)
class EmailIdentityArgs:
    # An address, or a domain (the sender's or a parent of it).
    identity: str
    # The Route 53 zone the domain's DKIM records go in; None: they are published by hand.
    dkim_zone_id: str | None = None


def is_domain(identity: str) -> bool:
    return "@" not in identity


def declare_email_identity(args: EmailIdentityArgs) -> aws.sesv2.EmailIdentity:
    """The identity and, for a domain in the stack's zone, its DKIM records."""
    identity = aws.sesv2.EmailIdentity("email-sender", email_identity=args.identity)
    if is_domain(args.identity) and args.dkim_zone_id:
        for index in range(DKIM_TOKENS):
            token = identity.dkim_signing_attributes.apply(_token(index))
            aws.route53.Record(
                f"email-dkim-{index}",
                zone_id=args.dkim_zone_id,
                name=pulumi.Output.concat(token, "._domainkey.", args.identity),
                type="CNAME",
                ttl=DKIM_TTL_SECONDS,
                records=[pulumi.Output.concat(token, ".dkim.amazonses.com")],
            )
    return identity


def _token(index: int) -> Callable[[aws.sesv2.outputs.EmailIdentityDkimSigningAttributes], str]:
    def token(attributes: aws.sesv2.outputs.EmailIdentityDkimSigningAttributes) -> str:
        tokens = (attributes.tokens if attributes else None) or []
        return str(tokens[index]) if index < len(tokens) else ""

    return token
