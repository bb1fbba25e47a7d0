"""Policy files: the model, conditions, checks, the safe YAML reader and the loader."""
