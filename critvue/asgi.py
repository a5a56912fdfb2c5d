import os
from pathlib import Path

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "critvue.settings")
os.environ.setdefault("CRITVUE_ENV_FILE", str(Path(__file__).resolve().parent.parent / ".env"))

application = get_asgi_application()

from critvue.startup import check_or_refuse  # noqa: E402  (needs the apps loaded)

check_or_refuse()
