"""A stateful fake GitHub for tests, answering only what the vendored REST contract allows.

:mod:`tests.github_fake.server` holds the fake (:class:`FakeGitHub`), backed by a bare git
repository (:mod:`tests.github_fake.remote`); :mod:`tests.github_fake.fixtures` has pytest
fixtures (``bare_remote``, ``fake_github``, ``sleeps``, ``github_client``), used from a test
module with ``pytest_plugins = ("tests.github_fake.fixtures",)``.
"""
