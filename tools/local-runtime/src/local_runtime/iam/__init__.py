"""IAM, enforced locally: each function calls the emulator with its own role's
identity, and each call is authorised against that role's declared policies
before moto sees it (`gate.IamGate`)."""
