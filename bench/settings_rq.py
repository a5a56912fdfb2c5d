"""Critvue's settings with the RQ backend of django-tasks on Redis, for bench.job_backends only."""

import os

from critvue.settings import *  # noqa: F401,F403
from critvue.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "django_rq"]
RQ_QUEUES = {"default": {"URL": os.environ["REDIS_URL"], "DEFAULT_TIMEOUT": 900}}
TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
