"""A Rasa NLU component that lets the NLU see text normalised the way the search sees it.

Without it, "التَّأْمِينُ الصِّحِّيُّ" (health insurance, with vowel marks) or "ኢንሹራንስ፧" share no
character n-grams with the training data, and DIET guesses with confidence. The rules live in
:func:`vraagbaak.i18n.normalize.for_nlu` (one place); Rasa runs with the project root on its
path (vraagbaak/runtime/rasa.py; docker-compose mounts the package).
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from vraagbaak.i18n.normalize import for_nlu


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class TextNormalizer(GraphComponent):
    """Runs first in the pipeline; changes the text only, never anything else of a message."""

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "TextNormalizer":
        return cls()

    @staticmethod
    def _normalize(message: Message) -> None:
        text = message.get(TEXT)
        # A training example with entity offsets keeps its text: shifting it would misalign them.
        if isinstance(text, str) and not message.get(ENTITIES):
            message.set(TEXT, for_nlu(text))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for message in training_data.training_examples:
            self._normalize(message)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self._normalize(message)
        return messages
