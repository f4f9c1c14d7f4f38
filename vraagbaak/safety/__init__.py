"""The safety layer: reads every typed message before anything else and recognises that someone
is in danger now (medical, violence, fire, suicide), so the assistant gives the right number at
once instead of an article or "I don't know"."""
