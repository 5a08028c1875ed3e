"""Arguments a terminal sends in another encoding get a sentence and exit 2, never a traceback;
file names in any bytes keep working (issue 13, class 6)."""

import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX argv is bytes; Windows' is text")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def workbench(data_dir, *argv: str | bytes):
    # strict: like a pipe under en_US.UTF-8, where printing undecodable text raises
    env = {**os.environ, "PYTHONIOENCODING": "utf-8:strict",
           "PYTHONPATH": os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH")]))}
    return subprocess.run([sys.executable, "-m", "workbench.cli", "--data-dir", str(data_dir),
                           *argv], capture_output=True, env=env, timeout=60, check=False)


def test_a_name_typed_in_a_latin1_terminal_is_refused_by_option(data_dir):
    done = workbench(data_dir, "accounts", "add", "--name", b"M\xfcller GmbH")
    assert done.returncode == 2
    assert b"Traceback" not in done.stderr
    assert done.stderr.decode().startswith("error: --name: 'M\\xfcller GmbH' is not UTF-8 text")
    listed = workbench(data_dir, "accounts", "list", "--json")
    assert listed.returncode == 0 and json.loads(listed.stdout) == []  # nothing written


@pytest.mark.parametrize("argv", [
    ("accounts", "edit", "abcd1234", "--set", b"industry=\xe9nergie"),
    ("accounts", "show", b"\xff\xfe"),
    ("registrations", "check", "--name", b"Caf\xe9"),
])
def test_every_text_argument_is_checked(data_dir, argv):
    done = workbench(data_dir, *argv, "--json")
    assert done.returncode == 2, done.stderr
    assert "is not UTF-8 text" in json.loads(done.stdout)["error"]["message"]


def test_file_and_folder_names_in_other_encodings_still_work(data_dir, tmp_path):
    source = os.path.join(os.fsencode(tmp_path), b"kunden-\xe4.csv")
    with open(source, "wb") as stream:
        stream.write(b"Name,Website\nGlobex,globex.com\n")
    folder = os.fsencode(tmp_path) + b"/data-\xff"
    done = workbench(os.fsdecode(folder), "accounts", "import", source)
    assert done.returncode == 0, done.stderr
    exported = workbench(os.fsdecode(folder), "export", folder + b"/export-\xff", "--json")
    assert exported.returncode == 0, exported.stderr
    assert json.loads(exported.stdout)["folder"].endswith("/export-\\xff")  # shown, not crashed
    missing = workbench(data_dir, "accounts", "import", b"/nowhere/\xff.csv")
    assert missing.returncode == 2 and b"Traceback" not in missing.stderr
    assert b"/nowhere/\\xff.csv does not exist" in missing.stderr
