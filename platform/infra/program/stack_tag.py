"""The tag that says which stack a resource belongs to.

The program sets it on every resource whose ARN cannot name the stack (the user pool, the
HTTP API and its stage, the custom domain and its certificate: AWS generates their ids),
and the CI roles reach those resources only when it names their own stack
(platform/bootstrap: `aws:ResourceTag/<this key>`, and `aws:RequestTag/<this key>` when
they create one). So in an account two stacks share, one stack's roles cannot touch the
other's.
"""

from __future__ import annotations

STACK_TAG = "serverless-backend:stack"


def stack_tags(stack: str) -> dict[str, str]:
    return {STACK_TAG: stack}
