"""fsspec's shared test suites (``fsspec.tests.abstract``) against the local server.

The suites' root is a folder inside a purpose, ``user_data/suite``: their "source"
and "target" are then folders of files, exactly as on S3 (a folder exists while a file lies
in it, so none is ever empty). Every scenario of the copy, get, put, open and pipe suites
runs, none skipped.
"""

from __future__ import annotations

import posixpath

import pytest
from fsspec.tests.abstract import (
    AbstractCopyTests,
    AbstractFixtures,
    AbstractGetTests,
    AbstractOpenTests,
    AbstractPipeTests,
    AbstractPutTests,
)

from openaifs import OpenAIFileSystem

# Without the protocol: the suites compare paths with what find() returns.
ROOT = "user_data/suite"


class OpenAIFixtures(AbstractFixtures):
    @pytest.fixture
    def fs(self, openaifs_server):
        return OpenAIFileSystem(
            api_key=openaifs_server.api_key,
            base_url=openaifs_server.base_url,
            skip_instance_cache=True,
        )

    @pytest.fixture
    def fs_path(self):
        return ROOT

    @pytest.fixture
    def fs_join(self):
        return posixpath.join

    @pytest.fixture
    def supports_empty_directories(self):
        # A folder exists while a file lies in it: there are no empty folders (as on S3).
        return False


class FileTargetFixtures(OpenAIFixtures):
    @pytest.fixture
    def fs_target(self):
        # The open and pipe suites use fs_target as a file.
        return ROOT + "/target"


class TestOpen(AbstractOpenTests, FileTargetFixtures):
    pass


class TestPipe(AbstractPipeTests, FileTargetFixtures):
    pass


class TestCopy(AbstractCopyTests, OpenAIFixtures):
    pass


class TestGet(AbstractGetTests, OpenAIFixtures):
    pass


class TestPut(AbstractPutTests, OpenAIFixtures):
    pass
