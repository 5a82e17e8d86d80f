"""Tests of what importing the package does: TensorFlow's start-up lines silenced, Python's messages kept."""

import subprocess
import sys
from pathlib import Path


def run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)


def test_importing_the_tensorflow_modules_prints_nothing() -> None:
    """TensorFlow writes start-up lines to stderr before TF_CPP_MIN_LOG_LEVEL applies; notebooks show them as errors."""
    result = run_python("import coursework.experiments, coursework.colorization")
    assert result.returncode == 0, result.stderr
    assert result.stderr == "" and result.stdout == ""


def test_the_configs_registry_and_verdict_rule_import_without_tensorflow() -> None:
    result = run_python(
        "import sys\n"
        "import coursework.experiments.registry, coursework.report.facts\n"
        "print(sorted(name for name in ('tensorflow', 'keras') if name in sys.modules))\n"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "[]\n"


def test_silenced_stderr_hides_c_level_output_but_not_python_messages_or_errors() -> None:
    result = run_python(
        "import os, warnings\n"
        "from coursework import silenced_stderr\n"
        "with silenced_stderr():\n"
        "    os.write(2, b'from C\\n')\n"
        "    warnings.warn('from Python')\n"
        "try:\n"
        "    with silenced_stderr():\n"
        "        import no_such_module\n"
        "except ImportError as error:\n"
        "    print(type(error).__name__)\n"
        "os.write(2, b'restored\\n')\n"
    )
    assert result.returncode == 0, result.stderr
    assert "from C" not in result.stderr
    assert "UserWarning: from Python" in result.stderr
    assert result.stdout == "ModuleNotFoundError\n"
    assert result.stderr.endswith("restored\n")


def test_a_checkout_writes_beside_the_package_and_an_installed_copy_does_not(tmp_path, monkeypatch) -> None:
    from coursework.paths import writable_dirs

    checkout, installed = tmp_path / "checkout", tmp_path / "site-packages"
    checkout.mkdir()
    (checkout / "pyproject.toml").write_text("")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert writable_dirs(checkout, {}) == (checkout / "figures", checkout / "data")
    assert writable_dirs(installed, {}) == (tmp_path / "figures", tmp_path / "home" / ".cache" / "coursework")
    overrides = {"COURSEWORK_FIGURES_DIR": "/tmp/f", "COURSEWORK_DATA_DIR": "/tmp/d"}
    assert writable_dirs(installed, overrides) == (Path("/tmp/f"), Path("/tmp/d"))
