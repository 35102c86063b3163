# No pyproject.toml: PEP 518's default build, setuptools' legacy backend.
from setuptools import setup

setup(name="legacy-pkg", version="0.3", packages=["legacy_pkg"])
