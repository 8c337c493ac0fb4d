"""The wheels repository's lock reading (actions/pystatic/repository/wheels/lock.py)."""

import pytest

from pystatic.repository.wheels.lock import LockError, read_pylock, read_requirements


def test_read_pylock_takes_file_names_from_name_url_or_path():
    text = """
lock-version = "1.0"
[[packages]]
name = "Foo_Bar"
version = "1.0"
marker = 'platform_machine == "x86_64"'
wheels = [
  { name = "foo_bar-1.0-py3-none-any.whl", hashes = { sha256 = "%s" } },
  { url = "https://example.invalid/x/foo_bar-1.0-cp313-cp313-musllinux_1_2_aarch64.whl", hashes = { sha256 = "%s" } },
]
""" % ("a" * 64, "b" * 64)
    (package,) = read_pylock(text, "pylock.toml")
    assert (package.key, package.target, package.version) == ("foo-bar", "foo_bar", "1.0")
    assert [w.filename for w in package.wheels] == ["foo_bar-1.0-py3-none-any.whl", "foo_bar-1.0-cp313-cp313-musllinux_1_2_aarch64.whl"]


@pytest.mark.parametrize(
    "text, message",
    [
        ('lock-version = "1.0"\n[[packages]]\nname = "a"\nversion = "1"\nwheels = [{ name = "a-1-py3-none-any.whl" }]\n',
         "package a 1: wheel a-1-py3-none-any.whl has no sha256"),
        ('lock-version = "2.0"\n', "is not 1.x"),
        ("not toml [", "is not valid TOML"),
    ],
)
def test_read_pylock_errors(text, message):
    with pytest.raises(LockError, match=message):
        read_pylock(text, "pylock.toml")


def test_read_requirements_with_continuations_markers_and_extras():
    text = """# comment
--index-url ignored-here
click==8.5.1 \\
    --hash=sha256:%s \\
    --hash=sha256:%s
rich[jupyter]==15.0.0 ; python_version >= "3.8" --hash=sha256:%s
""" % ("a" * 64, "b" * 64, "c" * 64)
    click, rich = read_requirements(text, "requirements.txt")
    assert (click.name, click.version, click.hashes) == ("click", "8.5.1", ["a" * 64, "b" * 64])
    assert (rich.extras, rich.marker) == (("jupyter",), 'python_version >= "3.8"')


@pytest.mark.parametrize(
    "text, message",
    [
        ("click>=8 --hash=sha256:" + "a" * 64, "click is not pinned to one version"),
        ("click==8.5.1", "click==8.5.1 has no --hash"),
        ("click==8.5.1 --hash=md5:abc", "only sha256 hashes"),
    ],
)
def test_read_requirements_errors(text, message):
    with pytest.raises(LockError, match=message):
        read_requirements(text, "requirements.txt")
