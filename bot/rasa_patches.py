"""Every place where the project reaches into Rasa's internals, listed in one module and checked at start-up.

Rasa 3.6.21 is pinned. A private name that a patch or an override relies on could be renamed by another Rasa,
and the patch would then stop working without an error. So `check()` verifies the version and that every name
in RELIED_ON still exists, and raises a RasaPatchError that names each one that does not. `install()` checks,
then applies the one monkey-patch (the action client's, below). It is called explicitly by every process that
runs Rasa's dialogue: the channels (bot/input.py) in `rasa run`, and `python -m bot.rasa_patches ARGS`, which is
Rasa's own command line with the patches installed first, for `rasa test` (the Makefile's conversation tests).

`python -m bot.rasa_patches train ...` also turns off Rasa's training cache (`skip_training_cache()`): the
project always trains with `--force` (the Makefile decides when to retrain, from the files' times, since Rasa
fingerprints the spaCy pipeline by its path only), so the cache is written and never read. Writing it costs a
fingerprint of every graph node's output, which hashes every training message's features again after each
featurizer, and a copy of the cacheable outputs on disk: a quarter of a cold training on 2 cores
(docs/training-speed.md). The model is the same, parse for parse.

The patch, on rasa.core.actions.action:
- a time limit: Rasa waits up to 5 minutes for an action; a student should wait seconds, then get the
  channel's "I'm having trouble" reply (ACTION_TIMEOUT_SECONDS, default 20);
- the action server's response validated by a validator built once: stock Rasa 3.6 rebuilds and re-checks
  the JSON schema on every call, which made a custom-action turn cost about twice a plain one.

The overrides and copies that are not patches are listed in RELIED_ON with who relies on them, so a Rasa that
drops one fails here, by name, instead of in a student's conversation.
"""

from __future__ import annotations

import importlib
import os
import sys
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Text

RASA_VERSION = "3.6.21"


class RasaPatchError(RuntimeError):
    """Rasa is not the version the patches were written for, or a name they rely on is gone."""


@dataclass(frozen=True)
class Reliance:
    """A name inside Rasa that this project relies on, and who relies on it."""

    module: str
    name: str  # a dotted attribute path inside the module: "RemoteAction._validate_action_result"
    by: str

    def exists(self) -> bool:
        """Whether the module imports and has the name."""
        try:
            found: Any = importlib.import_module(self.module)
        except ImportError:
            return False
        for part in self.name.split("."):
            if not hasattr(found, part):
                return False
            found = getattr(found, part)
        return True


ACTION = "rasa.core.actions.action"
TRAINING_HOOKS = "rasa.engine.training.hooks"
TRACKER_STORE = "rasa.core.tracker_store"
SOCKETIO = "rasa.core.channels.socketio"
RELIED_ON = (
    Reliance(ACTION, "DEFAULT_REQUEST_TIMEOUT", "install(): the action server's time limit"),
    Reliance(ACTION, "RemoteAction._validate_action_result", "install(): a validator built once"),
    Reliance(ACTION, "RemoteAction.action_response_format_spec", "install(): the schema that validator checks"),
    Reliance(TRAINING_HOOKS, "TrainingHook.on_before_node", "skip_training_cache(): no fingerprint of the inputs"),
    Reliance(TRAINING_HOOKS, "TrainingHook.on_after_node", "skip_training_cache(): no fingerprint or copy of outputs"),
    Reliance(TRACKER_STORE, "SQLTrackerStore.Base", "store/tracker_store.py creates Rasa's tables itself"),
    Reliance(TRACKER_STORE, "SQLTrackerStore.SQLEvent", "store/events.py reads Rasa's events table"),
    Reliance(TRACKER_STORE, "create_engine_kwargs",
             "store/tracker_store.py, whose __init__ replaces SQLTrackerStore's (bounded retries)"),
    Reliance(TRACKER_STORE, "FailSafeTrackerStore",
             "store/tracker_store.py raises a BaseException that its `except Exception` lets through"),
    Reliance(SOCKETIO, "SocketIOInput.blueprint",
             f"bot/input.py rewrites it (rasa/core/channels/socketio.py lines 189-270 of Rasa {RASA_VERSION})"),
    Reliance(SOCKETIO, "SocketBlueprint", "bot/input.py builds its socket.io blueprint on it"),
    Reliance(SOCKETIO, "SocketIOOutput._send_message", "bot/input.py counts the replies a turn sends"),
    Reliance("rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer",
             "CountVectorsFeaturizer._get_message_tokens_by_attribute",
             "components/job_mask.py overrides it to mask job names"),
    Reliance("rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer",
             "CountVectorsFeaturizer._get_processed_message_tokens_by_attribute",
             "components/sentence_counts.py reads the tokens as Rasa's featurizer does"),
    Reliance("rasa.nlu.classifiers.logistic_regression_classifier", "LogisticRegressionClassifier._create_X",
             "components/intent_classifier.py overrides it to scale the feature blocks"),
)

_installed = False


def missing(relied_on: Sequence[Reliance] = RELIED_ON) -> List[Reliance]:
    """The names that this Rasa no longer has."""
    return [r for r in relied_on if not r.exists()]


def check(version: Optional[str] = None, relied_on: Sequence[Reliance] = RELIED_ON) -> None:
    """Raise RasaPatchError, naming what is wrong, unless Rasa is the pinned version with every name relied on."""
    if version is None:
        import rasa

        version = rasa.__version__
    problems = []
    if version != RASA_VERSION:
        problems.append(f"Rasa {version} is installed; the patches in bot/rasa_patches.py are for {RASA_VERSION}")
    problems += [f"{r.module}.{r.name} is gone (relied on by {r.by})" for r in missing(relied_on)]
    if problems:
        raise RasaPatchError("; ".join(problems) + ". Check each one before moving to another Rasa.")


def install() -> None:
    """Check Rasa, then patch rasa.core.actions.action, once per process (see the module docstring)."""
    global _installed
    if _installed:
        return
    check()
    from jsonschema import ValidationError, validators
    from rasa.core.actions import action

    action.DEFAULT_REQUEST_TIMEOUT = float(os.environ.get("ACTION_TIMEOUT_SECONDS", "20"))
    schema = action.RemoteAction.action_response_format_spec()
    validator_class = validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)

    def validate_action_result(self: Any, result: Dict[Text, Any]) -> bool:
        try:
            validator.validate(result)
        except ValidationError as error:
            error.message += ". Failed to validate the action server's response."
            raise
        return True

    action.RemoteAction._validate_action_result = validate_action_result
    _installed = True


def skip_training_cache() -> None:
    """Rasa's training cache neither fingerprints nor stores anything: the project never reads it (see the
    module docstring). Only for `train --force`, where Rasa never looks the cache up."""
    check()
    from rasa.engine.training import hooks

    def before(self: Any, *args: Any, **kwargs: Any) -> Dict[str, Any]:
        return {"fingerprint_key": None}

    def after(self: Any, *args: Any, **kwargs: Any) -> None:
        return None

    hooks.TrainingHook.on_before_node = before
    hooks.TrainingHook.on_after_node = after


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Rasa's command line (`rasa test ...`) with the patches installed first, as the servers have them;
    `train --force` without the training cache."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        install()
        if args[:1] == ["train"]:
            if "--force" not in args:
                print("python -m bot.rasa_patches train needs --force: the training cache is off", file=sys.stderr)
                return 2
            skip_training_cache()
    except RasaPatchError as error:
        print(f"cannot start Rasa: {error}", file=sys.stderr)
        return 2
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *args]
    rasa_main()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
