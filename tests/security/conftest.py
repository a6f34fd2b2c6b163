"""Fixtures of the security tests: the fake GitHub site with monitoring configured."""

from tests.gitops.github_site import fake, remote, runs, site

__all__ = ["fake", "remote", "runs", "site"]
