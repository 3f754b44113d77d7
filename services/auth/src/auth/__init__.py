"""The auth service: passwordless one-time codes and password sign-in on Cognito."""
