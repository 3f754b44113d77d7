"""The auth service's Cognito triggers, each its own Lambda entry point.

Nothing here imports FastAPI or the service kernel's web stack: a trigger runs
inside a user's sign-in, so its cold start must stay short."""
