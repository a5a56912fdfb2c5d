"""gunicorn settings, read from the project folder: `gunicorn critvue.wsgi --workers 4 --bind ...`."""
from gunicorn.http.unreader import SocketUnreader

# gunicorn reads a request body up to 1 MiB per recv() and copies it through buffers, so a worker
# grows by ~3.5 MiB while a 10 MiB upload arrives; 64 KiB reads keep it under 0.5 MiB
# (`make bench` measures both) at no measurable cost in upload speed.
SocketUnreader.max_body_chunk = 64 * 1024
