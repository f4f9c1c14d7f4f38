"""The conversation layer between Rasa's actions and the search: replies, feedback, hand-off."""
