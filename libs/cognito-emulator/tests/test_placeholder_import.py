def test_package_imports() -> None:
    import cognito_emulator

    assert cognito_emulator.__doc__
