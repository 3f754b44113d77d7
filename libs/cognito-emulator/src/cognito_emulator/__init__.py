"""moto cognito-idp with Lambda triggers."""
