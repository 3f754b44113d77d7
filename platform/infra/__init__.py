"""The Pulumi program's components and typed stack config.

Not named `platform`: that would shadow the standard library module.
"""
