"""Two changes to how the Rasa server calls the action server, installed when the channels start.

- A time limit: Rasa waits up to 5 minutes for an action; a student should wait seconds,
  then get the channel's "I'm having trouble" reply (ACTION_TIMEOUT_SECONDS, default 20).
- Response validation with a validator built once: stock Rasa 3.6 rebuilds and re-checks the
  JSON schema on every call, which made a custom-action turn cost about 2x a plain one.
"""

from __future__ import annotations

import os
from typing import Any, Dict, Text

from jsonschema import ValidationError, validators

_installed = False


def install() -> None:
    """Patch rasa.core.actions.action once per process."""
    global _installed
    if _installed:
        return
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
