"""The items service: the contract's items API on the shared DynamoDB table."""
