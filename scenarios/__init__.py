"""Built-in labs (YAML), shipped inside the wheel."""
