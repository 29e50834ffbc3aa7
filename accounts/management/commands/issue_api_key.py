from django.core.management.base import BaseCommand, CommandError

from accounts.models import ApiKey
from accounts.services import api_key_issue


class Command(BaseCommand):
    help = "Create an API key and print it alone on stdout (it is shown only once)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("name")
        parser.add_argument("--scope", required=True, choices=ApiKey.Scope.values)

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        name = options["name"].strip()
        if not name:
            raise CommandError("NAME must not be empty")
        _, plain = api_key_issue(name=name, scope=options["scope"])
        self.stdout.write(plain)
