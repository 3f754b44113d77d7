def test_infra_imports() -> None:
    import infra

    assert infra.__doc__
