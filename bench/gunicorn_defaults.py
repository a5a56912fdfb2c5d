"""An empty gunicorn config: the benchmark's baseline runs gunicorn with its own defaults."""
