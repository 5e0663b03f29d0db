"""bot/rasa_patches.py on the installed Rasa: the names it relies on exist, a gone one is named, the patch works."""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys

import pytest
from jsonschema import ValidationError

from bot import rasa_patches
from bot.rasa_patches import RELIED_ON, RasaPatchError, Reliance, check, install, missing


def test_every_name_relied_on_exists_in_the_installed_rasa() -> None:
    assert missing() == []
    check()  # the pinned version, nothing gone


def test_another_version_is_refused_by_name() -> None:
    with pytest.raises(RasaPatchError, match=r"Rasa 3\.7\.0 is installed; .* for 3\.6\.21"):
        check(version="3.7.0")


def test_a_gone_name_is_named_with_who_relies_on_it() -> None:
    gone = Reliance("rasa.core.actions.action", "RemoteAction._validate_action_result_v2", "a test")
    absent_module = Reliance("rasa.core.no_such_module", "Anything", "another test")
    with pytest.raises(RasaPatchError) as error:
        check(relied_on=[*RELIED_ON, gone, absent_module])
    message = str(error.value)
    assert "RemoteAction._validate_action_result_v2 is gone (relied on by a test)" in message
    assert "rasa.core.no_such_module.Anything is gone (relied on by another test)" in message
    assert "DEFAULT_REQUEST_TIMEOUT" not in message  # only what is gone


@pytest.mark.parametrize("ours, theirs", [
    ("components.job_mask.JobMaskedCountVectors._get_message_tokens_by_attribute",
     "rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer.CountVectorsFeaturizer"
     "._get_message_tokens_by_attribute"),
    ("components.intent_classifier.LinearIntentClassifier._create_X",
     "rasa.nlu.classifiers.logistic_regression_classifier.LogisticRegressionClassifier._create_X"),
])
def test_the_components_overrides_keep_rasas_signatures(ours: str, theirs: str) -> None:
    """An override whose parameters no longer match Rasa's would be called wrongly, or not at all."""
    def resolve(path: str) -> object:
        parts = path.split(".")
        for cut in range(len(parts) - 1, 0, -1):  # the longest prefix that is a module, then attributes
            try:
                found: object = importlib.import_module(".".join(parts[:cut]))
            except ImportError:
                continue
            for part in parts[cut:]:
                found = getattr(found, part)
            return found
        raise ImportError(path)

    mine, rasas = inspect.signature(resolve(ours)), inspect.signature(resolve(theirs))
    assert list(mine.parameters) == list(rasas.parameters)


def test_install_patches_the_action_client_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from rasa.core.actions import action

    monkeypatch.setattr(rasa_patches, "_installed", False)
    monkeypatch.setenv("ACTION_TIMEOUT_SECONDS", "7")
    original = action.RemoteAction._validate_action_result
    monkeypatch.setattr(action.RemoteAction, "_validate_action_result", original)
    monkeypatch.setattr(action, "DEFAULT_REQUEST_TIMEOUT", action.DEFAULT_REQUEST_TIMEOUT)
    install()
    assert action.DEFAULT_REQUEST_TIMEOUT == 7.0
    patched = action.RemoteAction._validate_action_result
    assert patched is not original
    remote = action.RemoteAction("action_answer", None)
    assert patched(remote, {"events": [], "responses": []}) is True
    with pytest.raises(ValidationError, match="Failed to validate the action server's response"):
        patched(remote, {"events": "not a list"})
    install()  # a second call changes nothing
    assert action.RemoteAction._validate_action_result is patched


def test_the_command_line_runs_rasa_with_the_patches() -> None:
    """`python -m bot.rasa_patches ARGS` is Rasa's own command line: its --version answers."""
    done = subprocess.run([sys.executable, "-m", "bot.rasa_patches", "--version"], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Rasa Version" in done.stdout and "3.6.21" in done.stdout


def test_training_without_the_cache_leaves_no_fingerprint_and_no_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    """`train --force` never reads Rasa's training cache, so the patch makes its hook do nothing at all."""
    from rasa.engine.training import hooks

    monkeypatch.setattr(hooks.TrainingHook, "on_before_node", hooks.TrainingHook.on_before_node)
    monkeypatch.setattr(hooks.TrainingHook, "on_after_node", hooks.TrainingHook.on_after_node)

    class Cache:
        def cache_output(self, **kwargs: object) -> None:
            raise AssertionError("the cache was written")

    hook = hooks.TrainingHook(cache=Cache(), model_storage=None, pruned_schema=None)  # type: ignore[arg-type]
    rasa_patches.skip_training_cache()
    assert hook.on_before_node("node", None, {}, {"x": object()}) == {"fingerprint_key": None}
    assert hook.on_after_node("node", None, {}, object(), {"fingerprint_key": None}) is None


def test_training_through_the_patches_needs_force(capsys: pytest.CaptureFixture[str]) -> None:
    """Without --force Rasa would look the (never written) cache up: refused with a clear message."""
    assert rasa_patches.main(["train", "--out", "/nonexistent"]) == 2
    assert "needs --force" in capsys.readouterr().err
