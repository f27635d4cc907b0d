"""The Binder configuration builds what the course needs — checked without Docker.

``repo2docker --no-build --debug`` prints the Dockerfile that Binder would build from
``binder/`` (no Docker daemon needed); the test reads it: Debian's graphviz from apt.txt, the
Python of runtime.txt, and ``pip install -r binder/requirements.txt`` run after the repository
is copied in (the requirements install the repository itself, ``.``, with its course extra).
"""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parent.parent
BINDER = ROOT / "binder"


def lines(name: str) -> list[str]:
    text = (BINDER / name).read_text()
    return [line.split("#", 1)[0].strip() for line in text.splitlines()
            if line.split("#", 1)[0].strip()]


def runtime_version() -> str:
    (runtime,) = lines("runtime.txt")
    match = re.fullmatch(r"python-(3\.\d+)", runtime)
    assert match, f"binder/runtime.txt should read python-3.X, not {runtime!r}"
    return match.group(1)


@pytest.fixture(scope="module")
def dockerfile() -> str:
    # mybinder.org builds as user jovyan, uid 1000
    done = subprocess.run([sys.executable, "-m", "repo2docker", "--no-build", "--debug",
                           "--user-id", "1000", "--user-name", "jovyan", str(ROOT)],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "FROM " in done.stdout, done.stderr[-3000:]
    return done.stdout


def test_only_pip_and_apt_configuration():
    """An environment.yml (or a Dockerfile, Pipfile, ...) beside them would switch repo2docker
    to another build pack and silently ignore requirements.txt."""
    present = {p.name for p in BINDER.iterdir()}
    assert {"requirements.txt", "apt.txt", "runtime.txt"} <= present
    others = {"environment.yml", "environment.yaml", "Dockerfile", "Pipfile", "Pipfile.lock",
              "setup.py", "Project.toml", "install.R", "DESCRIPTION", "default.nix"}
    assert not present & others, f"binder/ must not hold {sorted(present & others)}"


def test_requirements_install_this_repository_with_the_course_extra():
    reqs = lines("requirements.txt")
    assert any(re.fullmatch(r"(-e\s+)?\.\[([\w,\s-]*,\s*)?course(\s*,[\w,\s-]*)?\]", r)
               for r in reqs), reqs
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    course = " ".join(extras["course"])
    for package in ("jupyterlab", "ipywidgets", "ipykernel", "pandas"):
        assert package in course


def test_runtime_is_the_oldest_python_the_package_supports():
    """The Python CI runs (3.11): the floor of requires-python, so Binder tests the floor too."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    supported = SpecifierSet(project["requires-python"])
    assert supported.contains(runtime_version() + ".0")
    older = f"3.{int(runtime_version().split('.')[1]) - 1}.0"
    assert not supported.contains(older), "runtime.txt should name the oldest supported Python"


def test_dockerfile_installs_graphviz(dockerfile):
    assert lines("apt.txt") == ["graphviz"]
    assert re.search(r"apt-get install --yes --no-install-recommends [^\n]*\bgraphviz\b", dockerfile)


def test_dockerfile_uses_the_runtime_python(dockerfile):
    version = runtime_version()
    # the conda environment repo2docker builds is locked for that Python
    assert re.search(rf"environment\S*py-{re.escape(version)}-linux", dockerfile.replace("-2d", "-")
                     .replace("-2e", ".")), "the Dockerfile does not build Python " + version


def test_dockerfile_installs_the_requirements_after_copying_the_repository(dockerfile):
    copy = re.search(r"^COPY \S* ?src/ \$\{REPO_DIR\}/$", dockerfile, re.MULTILINE)
    install = re.search(r'^RUN \$\{KERNEL_PYTHON_PREFIX\}/bin/pip install --no-cache-dir '
                        r'-r "binder/requirements.txt"$', dockerfile, re.MULTILINE)
    assert copy and install, "the Dockerfile does not pip install binder/requirements.txt"
    assert install.start() > copy.start(), "requirements must be installed after the repo is copied"
