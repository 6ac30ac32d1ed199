import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dxtracker.settings")
application = get_wsgi_application()

from dxtracker.warmup import warm  # noqa: E402  (needs the settings configured above)

warm()
