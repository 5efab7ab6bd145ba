"""fsspec's shared test suite (``fsspec.tests.abstract``) against the local server.

The store is flat: the root holds purposes and a purpose holds files. The suites' "directory
that does not yet exist to copy into" (``fs_target``) is therefore a purpose, ``user_data``
(empty on the freshly reset server, but always existing), and the remote "source" trees are
files of the purpose ``evals``. Tests whose scenario needs sub-folders, or a directory
that does not exist yet, are marked one by one below with the concrete reason.
"""

from __future__ import annotations

import functools
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

ROOT = "openai://"
SOURCE = "openai://evals"
TARGET = "openai://user_data"
TOP_LEVEL = {"source": SOURCE, "target": TARGET}

NESTED = "the scenario makes sub-folders (source/subdir/nesteddir); a purpose is flat"
TARGET_EXISTS = "the target is a purpose, and purposes always exist"
NEW_DIR = "copies into a new sub-directory of the target (target/newdir); a purpose is flat"


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
        def join(first, *parts):
            # The suites' top-level folders "source" and "target" are purposes here.
            if first == ROOT and parts and parts[0] in TOP_LEVEL:
                first, parts = TOP_LEVEL[parts[0]], parts[1:]
            return posixpath.join(first, *parts)

        return join

    @pytest.fixture
    def fs_target(self):
        # A purpose: nothing to clean up (the server is reset before each test), and
        # rm(purpose, recursive=True) rightly refuses without confirm=True.
        return TARGET

    @pytest.fixture
    def fs_10_files_with_hashed_names(self, fs, fs_join, fs_path):
        # As fsspec's, but without the clean-up rm(source, recursive=True): that would be
        # every file of a purpose, which needs confirm=True (the server is reset anyway).
        return self._10_files_with_hashed_names(fs, fs_join, fs_path)

    @pytest.fixture
    def supports_empty_directories(self):
        # An empty purpose exists (it is listed at the root, and isdir() is True).
        return True


def _marked(cls, marks: dict[str, pytest.MarkDecorator]) -> None:
    """Mark inherited tests of ``cls`` without touching fsspec's own functions."""
    for name, mark in marks.items():
        original = getattr(cls, name)

        @functools.wraps(original)
        def test(self, *args, __original=original, **kwargs):
            return __original(self, *args, **kwargs)

        setattr(cls, name, mark(test))


def skip(reason: str) -> pytest.MarkDecorator:
    return pytest.mark.skip(reason=reason)


class FileTargetFixtures(OpenAIFixtures):
    @pytest.fixture
    def fs_target(self):
        # The open and pipe suites use fs_target as a file.
        return TARGET + "/target"


class TestOpen(AbstractOpenTests, FileTargetFixtures):
    pass


class TestPipe(AbstractPipeTests, FileTargetFixtures):
    pass


SRC_DIR = "puts a local folder holding a sub-folder (src/file and src/src/file, or subdir/...)"


class TestCopy(AbstractCopyTests, OpenAIFixtures):
    pass


_marked(
    TestCopy,
    {
        "test_copy_file_to_existing_directory": skip(NESTED),
        "test_copy_file_to_new_directory": skip(NESTED),
        "test_copy_file_to_file_in_existing_directory": skip(NESTED),
        "test_copy_file_to_file_in_new_directory": skip(NESTED),
        "test_copy_directory_to_existing_directory": skip(NESTED),
        "test_copy_directory_to_new_directory": skip(NESTED),
        "test_copy_glob_to_existing_directory": skip(NESTED),
        "test_copy_glob_to_new_directory": skip(NESTED),
        "test_copy_glob_edge_cases": skip(NESTED),
        "test_copy_list_of_files_to_existing_directory": skip(NESTED),
        "test_copy_list_of_files_to_new_directory": skip(NESTED),
        "test_copy_two_files_new_directory": skip(NESTED),
        "test_copy_directory_without_files_with_same_name_prefix": skip(NESTED),
    },
)


class TestGet(AbstractGetTests, OpenAIFixtures):
    pass


_marked(
    TestGet,
    {
        "test_get_file_to_existing_directory": skip(NESTED),
        "test_get_file_to_new_directory": skip(NESTED),
        "test_get_file_to_file_in_existing_directory": skip(NESTED),
        "test_get_file_to_file_in_new_directory": skip(NESTED),
        "test_get_directory_to_existing_directory": skip(NESTED),
        "test_get_directory_to_new_directory": skip(NESTED),
        "test_get_glob_to_existing_directory": skip(NESTED),
        "test_get_glob_to_new_directory": skip(NESTED),
        "test_get_glob_edge_cases": skip(NESTED),
        "test_get_list_of_files_to_existing_directory": skip(NESTED),
        "test_get_list_of_files_to_new_directory": skip(NESTED),
        "test_get_directory_without_files_with_same_name_prefix": skip(NESTED),
        "test_get_directory_recursive": skip(
            "makes a remote folder 'src' at the root: top-level folders are purposes"
        ),
    },
)


class TestPut(AbstractPutTests, OpenAIFixtures):
    pass


_marked(
    TestPut,
    {
        "test_put_file_to_new_directory": skip(NEW_DIR),
        "test_put_file_to_file_in_new_directory": skip(NEW_DIR),
        "test_put_directory_to_existing_directory": skip(SRC_DIR),
        "test_put_directory_to_new_directory": skip(SRC_DIR),
        "test_put_glob_to_existing_directory": skip(SRC_DIR),
        "test_put_glob_to_new_directory": skip(NEW_DIR),
        "test_put_glob_edge_cases": skip(NEW_DIR),
        "test_put_list_of_files_to_new_directory": skip(NEW_DIR),
        "test_put_directory_recursive": skip(TARGET_EXISTS),
        "test_put_directory_without_files_with_same_name_prefix": skip(SRC_DIR),
    },
)
