"The `hugtweets` command line: help, version and the shared error handling."
import subprocess, sys
from hugtweets import __version__
from conftest import assert_one_line_error, cli_env

def test_help_lists_subcommands(run_cli):
    proc = run_cli("--help")
    assert proc.returncode == 0
    for cmd in ("dataset", "train", "generate", "demo", "classify", "explain"): assert cmd in proc.stdout

def test_console_script_answers():
    proc = subprocess.run([str((__import__("pathlib").Path(sys.executable).parent/"hugtweets")), "--version"],
                          capture_output=True, text=True, env=cli_env())
    assert proc.returncode == 0 and proc.stdout.strip() == f"hugtweets {__version__}"

def test_unknown_subcommand_is_a_usage_error(run_cli):
    proc = run_cli("tweetify")
    assert proc.returncode == 2 and "invalid choice" in proc.stderr and "Traceback" not in proc.stderr

def test_existing_out_is_refused_without_force(run_cli, tmp_path):
    (tmp_path/"taken").mkdir()
    (tmp_path/"taken"/"keep.txt").write_text("mine")
    proc = run_cli("demo", "--out", "taken")
    assert_one_line_error(proc, "already exists", "--force")
    assert (tmp_path/"taken"/"keep.txt").read_text() == "mine"
